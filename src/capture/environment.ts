import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { hostname, uptime } from "node:os";
import { join } from "node:path";
import type { JsonObject, JsonValue } from "../core/json.js";
import { JsonCache, cached } from "./probe-cache.js";
import { captureVariables } from "./redact.js";
import { which } from "./which.js";

const requireHere = createRequire(import.meta.url);

export interface EnvironmentOptions {
  environ: NodeJS.ProcessEnv;
  cwd: string;
  /** `<git dir>/exp`: where the per-machine cache lives; none means probe every time. */
  cacheDir?: string;
  /** Variables to record beyond the allow-list (`--env NAME`); secrets are still redacted. */
  extraVariables?: string[];
  /** Ignore the cache and probe again (the cache is rewritten). */
  refresh?: boolean;
}

export interface EnvironmentCapture {
  env: JsonObject;
  /** What each probe cost in this call, in ms: 0 when it came from the cache. */
  timings: Record<string, number>;
}

export const ENV_CACHE_FILE = "env-cache.json";

/**
 * env.json: OS, CPU, memory, GPUs, node and python with the Python packages in use, and
 * allow-listed variables. Hardware and OS are cached until the machine reboots; node and
 * python until their executable changes; the Python packages until a site-packages
 * folder changes (pip install and uninstall touch it).
 */
export async function captureEnvironment(options: EnvironmentOptions): Promise<EnvironmentCapture> {
  const cache = await JsonCache.open(options.cacheDir ? join(options.cacheDir, ENV_CACHE_FILE) : undefined);
  if (options.refresh) for (const n of cache.names()) cache.delete(n);
  const timings: Record<string, number> = {};
  const [machine, node, python] = await Promise.all([
    cached(cache, "machine", await machineKey(), probeMachine, timings),
    probeNode(cache, options, timings),
    probePython(cache, options, timings),
  ]);
  await cache.save();
  const env: JsonObject = { ...machine };
  const runtimes: JsonObject = {};
  if (node) runtimes["node"] = node;
  if (python) {
    runtimes["python"] = python.version;
    runtimes["python_executable"] = python.executable;
    if (python.implementation !== "CPython") runtimes["python_implementation"] = python.implementation;
    if (python.packages) env["packages"] = { python: python.packages };
  }
  env["runtimes"] = runtimes;
  env["variables"] = captureVariables(options.environ, options.extraVariables);
  return { env, timings };
}

/** Boot time and host: hardware and kernel do not change without a reboot. */
async function machineKey(): Promise<string> {
  let boot: string;
  try {
    boot = /^btime (\d+)$/m.exec(await readFile("/proc/stat", "utf8"))?.[1] ?? "";
  } catch {
    boot = "";
  }
  if (!boot) boot = String(Math.round((Date.now() / 1000 - uptime()) / 60));
  return `${hostname()} ${boot}`;
}

async function probeMachine(): Promise<JsonObject> {
  // systeminformation costs ~120 ms to load: only on a cache miss. Required, not imported:
  // the CLI is one CommonJS bundle run through vm, where import() of a package is refused.
  const si = requireHere("systeminformation") as typeof import("systeminformation");
  const [os, cpu, mem, graphics] = await Promise.all([si.osInfo(), si.cpu(), si.mem(), si.graphics()]);
  const gpus: JsonValue[] = graphics.controllers
    .filter((g) => g.model || g.name)
    .map((g) => {
      const o: JsonObject = { vendor: g.vendor ?? "", model: g.name || g.model };
      if (g.memoryTotal ?? g.vram) o["memory_mb"] = (g.memoryTotal ?? g.vram)!;
      if (g.driverVersion) o["driver"] = g.driverVersion;
      return o;
    });
  return {
    os: { platform: os.platform, distro: os.distro, release: os.release, kernel: os.kernel, arch: os.arch, hostname: os.hostname },
    cpu: {
      manufacturer: cpu.manufacturer,
      brand: cpu.brand,
      cores: cpu.cores,
      physical_cores: cpu.physicalCores,
      ...(cpu.speed ? { speed_ghz: cpu.speed } : {}),
    },
    memory: { total_bytes: mem.total },
    gpus,
  };
}

async function fileKey(path: string): Promise<string> {
  const st = await stat(path);
  return `${path} ${st.size} ${st.mtimeMs}`;
}

async function probeNode(cache: JsonCache, o: EnvironmentOptions, timings: Record<string, number>): Promise<string | undefined> {
  const path = await which("node", o.environ, o.cwd);
  if (!path) return undefined;
  if (path === process.execPath) return process.version;
  return cached(cache, "node", await fileKey(path), async () => (await exec(path, ["--version"], o)).trim(), timings);
}

interface PythonInfo extends JsonObject {
  version: string;
  executable: string;
  implementation: string;
  packages: Record<string, string> | null;
  /** site-packages folders and their mtimes when probed: the packages' cache key. */
  site: Record<string, number>;
}

// importlib.metadata answers what `pip list` does in a third of the time, and works in
// venvs without pip; pip is the fallback for Pythons older than 3.8.
const PYTHON_PROBE = `
import json, os, platform, sys
try:
    from importlib import metadata
    pk = {}
    for d in metadata.distributions():
        n = d.metadata["Name"]
        if n and n not in pk: pk[n] = d.version
except Exception:
    pk = None
site = {p: os.stat(p).st_mtime for p in sys.path if p and os.path.isdir(p) and ("site-packages" in p or "dist-packages" in p)}
print(json.dumps({"version": platform.python_version(), "executable": sys.executable,
  "implementation": platform.python_implementation(), "packages": pk, "site": site}))
`;

async function probePython(
  cache: JsonCache,
  o: EnvironmentOptions,
  timings: Record<string, number>,
): Promise<PythonInfo | undefined> {
  // GIT_EXP_PYTHON: the interpreter a Python program recording itself runs on (git_exp sets it)
  const path = o.environ["GIT_EXP_PYTHON"] || (await which("python", o.environ, o.cwd)) || (await which("python3", o.environ, o.cwd));
  if (!path) return undefined;
  const e = o.environ;
  const key = [await fileKey(path), e["VIRTUAL_ENV"], e["CONDA_PREFIX"], e["PYENV_VERSION"], e["PYTHONPATH"]].join("|");
  // An entry of its own for GIT_EXP_PYTHON: a notebook's python and the one on PATH do not evict each other.
  const entry = e["GIT_EXP_PYTHON"] ? `python ${path}` : "python";
  const hit = cache.get<PythonInfo>(entry, key);
  if (hit && (await siteUnchanged(hit.value.site))) {
    timings["python"] = 0;
    return hit.value;
  }
  cache.delete(entry);
  const cost: Record<string, number> = {};
  const info = await cached(cache, entry, key, () => runPythonProbe(path, o), cost).catch(() => undefined);
  timings["python"] = cost[entry] ?? 0;
  return info;
}

async function siteUnchanged(site: Record<string, number>): Promise<boolean> {
  for (const [dir, mtime] of Object.entries(site)) {
    try {
      // python's float seconds and node's milliseconds round differently
      if (Math.abs((await stat(dir)).mtimeMs / 1000 - mtime) > 1e-3) return false;
    } catch {
      return false;
    }
  }
  return true;
}

async function runPythonProbe(path: string, o: EnvironmentOptions): Promise<PythonInfo> {
  const info = JSON.parse(await exec(path, ["-c", PYTHON_PROBE], o)) as PythonInfo;
  if (info.packages === null) {
    try {
      const list = JSON.parse(await exec(path, ["-m", "pip", "list", "--format=json", "--disable-pip-version-check"], o)) as {
        name: string;
        version: string;
      }[];
      info.packages = Object.fromEntries(list.map((p) => [p.name, p.version]));
    } catch {
      // no pip either: the run is recorded without a package list
    }
  }
  if (info.packages) info.packages = Object.fromEntries(Object.entries(info.packages).sort(([a], [b]) => (a < b ? -1 : 1)));
  return info;
}

function exec(cmd: string, args: string[], o: EnvironmentOptions): Promise<string> {
  return new Promise((ok, fail) => {
    execFile(cmd, args, { cwd: o.cwd, env: o.environ, timeout: 30_000, maxBuffer: 32 << 20 }, (err, stdout) =>
      err ? fail(err) : ok(stdout),
    );
  });
}
