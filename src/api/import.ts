import { importDocuments, type ImportSummary } from "../capture/import.js";
import type { MlflowImportSummary } from "../capture/mlflow.js";
import type { Workspace } from "./workspace.js";

export type { ImportSummary, MlflowImportSummary };

/**
 * `git exp import`: experiment documents, one JSON a line (as export writes them), recorded
 * in batches; a bad line is reported by number and nothing of it written.
 */
export async function importNdjson(ws: Workspace, lines: AsyncIterable<string>): Promise<ImportSummary> {
  const store = await ws.store();
  const progress = ws.progress("importing");
  const summary = await importDocuments(store, lines, { environ: ws.env, onProgress: (n) => progress.update(n, n) });
  progress.finish();
  return summary;
}

/** `git exp import --from mlflow`: every run of an MLflow file store (its mlruns folder). */
export async function importMlflowStore(ws: Workspace, path: string): Promise<MlflowImportSummary> {
  // Loaded only here: its YAML parser is a quarter of the CLI's code, parsed at every start.
  const { importMlflow } = await import("../capture/mlflow.js");
  const store = await ws.store();
  const progress = ws.progress("importing runs");
  const summary = await importMlflow(store, ws.path(path), { onProgress: (d, t) => progress.update(d, t) });
  progress.finish();
  return summary;
}
