import { ExperimentIndex, type IndexOptions } from "../../index/experiment-index.js";
import { IndexSession } from "../../index/session.js";
import type { ExperimentStore } from "../../store/experiment-store.js";
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
export async function startUi(
  store: ExperimentStore,
  indexOptions: IndexOptions,
  options: { host: string; port: number; onError: (e: unknown) => void },
): Promise<RunningUi> {
  const index = new ExperimentIndex(store.repo, indexOptions);
  const report = await index.sync();
  const session = new IndexSession(store.repo, indexOptions);
  const data = new IndexDashboardData(session, store);
  try {
    const listening = await startDashboard(data, options);
    return {
      url: listening.url,
      port: listening.port,
      loopback: isLoopback(options.host),
      experiments: report.total,
      fingerprint: () => session.fingerprint(),
      close: async () => {
        await listening.close();
        await data.close();
      },
    };
  } catch (e) {
    await data.close();
    throw e;
  }
}
