import type { Workspace } from "../../api/workspace.js";
import { IndexDashboardData } from "./data.js";
import { isLoopback, startDashboard } from "./server.js";

export interface RunningUi {
  url: string;
  port: number;
  loopback: boolean;
  /** Experiments in the index when the dashboard started. */
  experiments: number;
  /** What the page watches to reload: changes with experiment refs and annotations. */
  fingerprint(): string;
  close(): Promise<void>;
}

/**
 * Bring the index up to date (so a first sync happens before the address is printed, with
 * its progress), then serve the dashboard on it.
 */
export async function startUi(ws: Workspace, options: { host: string; port: number; onError: (e: unknown) => void }): Promise<RunningUi> {
  const served = await ws.serve();
  const data = new IndexDashboardData(ws, served);
  try {
    const listening = await startDashboard(data, options);
    return {
      url: listening.url,
      port: listening.port,
      loopback: isLoopback(options.host),
      experiments: served.experiments,
      fingerprint: served.fingerprint,
      close: async () => {
        await listening.close();
        await data.close();
        await served.stop();
      },
    };
  } catch (e) {
    await data.close();
    await served.stop();
    throw e;
  }
}
