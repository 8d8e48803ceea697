import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { EnvironmentError } from "../core/errors.js";
import type { Series } from "../core/experiment.js";
import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from "../core/json.js";
import { parseMetricLines } from "./load.js";

export interface CommandRun {
  exitCode: number | null;
  signal: string | null;
  durationS: number;
  results: JsonObject;
  series: Record<string, Series>;
  /** Metric lines that were not JSON objects of numbers, skipped. */
  skippedLines: number;
}

export interface CommandSpec {
  command: string[];
  cwd: string;
  /** Folder for the config and metrics files, outside `cwd`. */
  scratch: string;
  config: JsonObject;
  environ: NodeJS.ProcessEnv;
  onOutput?: (text: string) => void;
  /** Aborted: the command gets SIGTERM, as from a user stopping us. */
  signal?: AbortSignal;
}

/** The seed as the child sees it: exact digits, also for seeds beyond 2^53. */
function seedOf(config: JsonObject): string | undefined {
  const seed = config["seed"];
  if (typeof seed === "number" || typeof seed === "bigint") return String(seed);
  if (typeof seed === "string" && /^\d+$/.test(seed)) return seed;
  return undefined;
}

/** `{"val.acc": 1}` back to `{"val": {"acc": 1}}`, as results.json nests groups. */
function nest(flat: Map<string, number | null>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of flat) {
    const parts = key.split(".");
    let node = out;
    for (const p of parts.slice(0, -1)) {
      const next = node[p];
      node = (isJsonObject(next) ? next : (node[p] = {})) as JsonObject;
    }
    node[parts[parts.length - 1]!] = value;
  }
  return out;
}

/** Final results: the last `"final": true` line, else each series' last value. */
function finalResults(final: JsonObject | undefined, series: Record<string, Series>): JsonObject {
  if (final) return final;
  return nest(new Map(Object.entries(series).map(([k, s]) => [k, s.value[s.value.length - 1] ?? null])));
}

/**
 * Run a command as a tracked run sees it: GIT_EXP_CONFIG names a file with the canonical
 * config, GIT_EXP_METRICS a file the command appends metric lines to, and the config's seed
 * is in GIT_EXP_SEED and PYTHONHASHSEED. Output goes to `onOutput`, never to our stdout.
 */
export async function runCommand(spec: CommandSpec): Promise<CommandRun> {
  const configFile = join(spec.scratch, "config.json");
  const metricsFile = join(spec.scratch, "metrics.jsonl");
  await writeFile(configFile, canonicalJson(spec.config as JsonValue));
  await writeFile(metricsFile, "");
  const env: NodeJS.ProcessEnv = { ...spec.environ, GIT_EXP_CONFIG: configFile, GIT_EXP_METRICS: metricsFile };
  const seed = seedOf(spec.config);
  if (seed !== undefined) Object.assign(env, { GIT_EXP_SEED: seed, PYTHONHASHSEED: seed });
  const started = process.hrtime.bigint();
  const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((resolve, reject) => {
    const child = spawn(spec.command[0]!, spec.command.slice(1), { cwd: spec.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (b: Buffer) => spec.onOutput?.(b.toString("utf8")));
    child.stderr.on("data", (b: Buffer) => spec.onOutput?.(b.toString("utf8")));
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(
        e.code === "ENOENT"
          ? new EnvironmentError(`cannot run ${spec.command[0]}: not found on PATH; install it or fix PATH`, { cause: e })
          : new EnvironmentError(`cannot run ${spec.command[0]}: ${e.message}`, { cause: e }),
      ),
    );
    const stop = (): void => void child.kill("SIGTERM");
    spec.signal?.addEventListener("abort", stop, { once: true });
    if (spec.signal?.aborted) stop();
    child.on("close", (c, s) => {
      spec.signal?.removeEventListener("abort", stop);
      resolve({ code: c, signal: s });
    });
  });
  const durationS = Number(process.hrtime.bigint() - started) / 1e9;
  const lines = parseMetricLines(await readFile(metricsFile, "utf8"), "GIT_EXP_METRICS", false);
  return {
    exitCode: code,
    signal,
    durationS,
    results: finalResults(lines.final, lines.series),
    series: lines.series,
    skippedLines: lines.skipped.count,
  };
}
