import type { Experiment } from "../core/experiment.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { diffExperiments, type Tolerance } from "./diff.js";
import type { ExperimentDiff } from "../core/diff-results.js";
import type { ReproVerdict } from "../core/repro-results.js";
import { shortId } from "../core/ids.js";

/** What the rerun saw that the experiments do not record. */
export interface RerunFacts {
  /** Files the command names that the source commit does not hold. */
  missingFiles?: string[];
  /** The end of the rerun's log, when it failed. */
  logTail?: string;
}

function missingFiles(seen: RerunFacts): string[] {
  return (seen.missingFiles ?? []).map(
    (f) => `the command names ${f}, which the source commit does not hold (it was not committed when the original ran): commit it and run again`,
  );
}

function resultReasons(d: ExperimentDiff): string[] {
  const beyond = d.results.filter((r) => r.beyond);
  const oneSided = beyond.filter((r) => r.a === undefined || r.b === undefined);
  const out: string[] = [];
  if (beyond.length > oneSided.length) {
    const names = beyond.filter((r) => !oneSided.includes(r)).map((r) => r.metric);
    out.push(`${names.length} metric${names.length === 1 ? "" : "s"} beyond tolerance: ${names.slice(0, 5).join(", ")}${names.length > 5 ? ", ..." : ""}`);
  }
  const missing = oneSided.filter((r) => r.b === undefined).map((r) => r.metric);
  const extra = oneSided.filter((r) => r.a === undefined).map((r) => r.metric);
  if (missing.length) out.push(`the rerun did not report ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", ..." : ""}`);
  if (extra.length) out.push(`the rerun reported metrics the original did not: ${extra.slice(0, 5).join(", ")}`);
  return out;
}

/**
 * Differences that can change results. Environment facts count only where both runs
 * recorded them: a fact one capture knows and the other does not explains nothing.
 */
function explanations(d: ExperimentDiff): string[] {
  const out: string[] = [];
  if (d.inputs.length) out.push(`inputs differ: ${d.inputs.map((i) => `${i.path} (${i.kind})`).slice(0, 5).join(", ")}`);
  if (d.code.differs) out.push(d.code.sameCommit ? "the uncommitted patch differs" : "the source commit differs");
  if (d.config.length) out.push(`config differs: ${d.config.map((c) => c.key).join(", ")}`);
  const pkgs = d.environment.packages.filter((p) => p.kind !== "added" && p.kind !== "removed");
  if (pkgs.length) out.push(`packages changed: ${pkgs.slice(0, 8).map((p) => `${p.name} ${p.a} -> ${p.b}`).join(", ")}`);
  const env = d.environment.changes.filter((c) => c.kind === "changed");
  const gpu = env.filter((c) => c.key.startsWith("gpus"));
  if (gpu.length) out.push("the GPUs differ");
  const rest = env.filter((c) => !c.key.startsWith("gpus") && !c.key.startsWith("memory"));
  if (rest.length) out.push(`environment differs: ${rest.slice(0, 6).map((c) => c.key).join(", ")}`);
  return out;
}

/**
 * Reproduced when the rerun ended as the original did, with the same config and inputs,
 * and every metric within tolerance. Otherwise say why, and what could explain it.
 */
export async function judgeRepro(
  store: ExperimentStore,
  original: { id: string; experiment: Experiment },
  rerun: { id: string; experiment: Experiment },
  tolerance: Tolerance = {},
  seen: RerunFacts = {},
): Promise<ReproVerdict> {
  const d = await diffExperiments(store, original, rerun, tolerance);
  const reasons: string[] = [];
  const [sa, sb] = [original.experiment.meta.status, rerun.experiment.meta.status];
  if (sa !== sb) {
    const code = rerun.experiment.meta.exit_code;
    reasons.push(`the rerun ${sb}${code !== undefined && code !== null ? ` with exit code ${code}` : ""} where the original ${sa}`);
  }
  reasons.push(...resultReasons(d));
  if (d.sections.config) reasons.push("the config differs");
  if (d.sections.inputs) reasons.push("the inputs differ");
  const why = reasons.length === 0 ? [] : [...missingFiles(seen), ...explanations(d)];
  if (reasons.length > 0 && why.length === 0) {
    const failed = sb !== "completed" && sa === "completed";
    const last = (seen.logTail ?? "").trim().split("\n").pop();
    why.push(
      failed
        ? `the rerun itself failed${last ? `; its log ends with: ${last}` : ""} (the whole log: git show ${shortId(rerun.id)}:log.txt)`
        : "nothing recorded differs (same code, config, seed, inputs and environment): the run itself is nondeterministic",
    );
  }
  return { original: original.id, rerun: rerun.id, reproduced: reasons.length === 0, reasons, explanations: why, diff: d };
}
