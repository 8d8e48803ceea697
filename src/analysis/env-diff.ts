import { flattenParams } from "../core/experiment.js";
import { canonicalJson, isJsonObject, type JsonObject, type JsonValue } from "../core/json.js";
import type { ValueChange, PackageChange, EnvDiff } from "../core/diff-results.js";

function same(a: JsonValue, b: JsonValue): boolean {
  return canonicalJson(a, { nonFinite: "encode" }) === canonicalJson(b, { nonFinite: "encode" });
}

/** Key-path changes between two flat maps, sorted by key. */
function mapChanges(a: Map<string, JsonValue>, b: Map<string, JsonValue>): ValueChange[] {
  const out: ValueChange[] = [];
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const [va, vb] = [a.get(key), b.get(key)];
    if (va === undefined) out.push({ key, kind: "added", b: vb! });
    else if (vb === undefined) out.push({ key, kind: "removed", a: va });
    else if (!same(va, vb)) out.push({ key, kind: "changed", a: va, b: vb });
  }
  return out;
}

export function objectChanges(a: JsonObject | undefined, b: JsonObject | undefined): ValueChange[] {
  return mapChanges(new Map(flattenParams(a ?? {})), new Map(flattenParams(b ?? {})));
}

/** A GPU list as comparable names: the model when the entry names one, else its JSON. */
function gpuNames(gpus: JsonValue | undefined): JsonValue | undefined {
  if (!Array.isArray(gpus)) return gpus;
  return gpus
    .map((g) => {
      if (!isJsonObject(g)) return canonicalJson(g).trimEnd();
      const name = g["model"] ?? g["name"];
      const mem = g["vram"] ?? g["memory"] ?? g["memory_mb"];
      return typeof name === "string" ? (mem === undefined ? name : `${name} (${String(mem)})`) : canonicalJson(g).trimEnd();
    })
    .sort();
}

/**
 * Packages as name -> version, flat (`numpy`) or by ecosystem (`python.numpy`); a version
 * given as an object ({version: ...}) is read through.
 */
function packageVersions(pkgs: JsonValue | undefined, prefix = "", out = new Map<string, string>()): Map<string, string> {
  if (!isJsonObject(pkgs)) return out;
  for (const [name, v] of Object.entries(pkgs)) {
    const key = prefix + name;
    if (typeof v === "string" || typeof v === "number") out.set(key, String(v));
    else if (isJsonObject(v) && (typeof v["version"] === "string" || typeof v["version"] === "number")) out.set(key, String(v["version"]));
    else if (isJsonObject(v)) packageVersions(v, `${key}.`, out);
  }
  return out;
}

function tokens(version: string): (number | string)[] {
  return (version.toLowerCase().match(/\d+|[a-z]+/g) ?? []).map((t) => (/^\d+$/.test(t) ? Number(t) : t));
}

// Pre-release words sort before the release they lead to (1.0rc1 < 1.0), as PEP 440 and semver agree.
const PRE = new Set(["a", "alpha", "b", "beta", "c", "rc", "pre", "preview", "dev"]);

/** Compare dotted versions by their numeric and word parts: <0, 0 or >0. */
export function compareVersions(a: string, b: string): number {
  const [ta, tb] = [tokens(a), tokens(b)];
  for (let i = 0; i < Math.max(ta.length, tb.length); i++) {
    const [x, y] = [ta[i], tb[i]];
    if (x === y) continue;
    if (x === undefined) return typeof y === "string" && PRE.has(y) ? 1 : -1;
    if (y === undefined) return typeof x === "string" && PRE.has(x) ? -1 : 1;
    if (typeof x === "number" && typeof y === "number") return x - y;
    if (typeof x === "number") return PRE.has(y as string) ? 1 : -1;
    if (typeof y === "number") return PRE.has(x) ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

function packageChanges(a: JsonValue | undefined, b: JsonValue | undefined): PackageChange[] {
  const [pa, pb] = [packageVersions(a), packageVersions(b)];
  const out: PackageChange[] = [];
  for (const name of [...new Set([...pa.keys(), ...pb.keys()])].sort()) {
    const [va, vb] = [pa.get(name), pb.get(name)];
    if (va === vb) continue;
    if (va === undefined) out.push({ name, kind: "added", b: vb! });
    else if (vb === undefined) out.push({ name, kind: "removed", a: va });
    else {
      const c = compareVersions(va, vb);
      out.push({ name, kind: c < 0 ? "upgraded" : c > 0 ? "downgraded" : "changed", a: va, b: vb });
    }
  }
  return out;
}

/** What differs between two env.json documents. */
export function diffEnv(a: JsonObject | undefined, b: JsonObject | undefined): EnvDiff {
  const has = (e: JsonObject | undefined): boolean => e !== undefined && Object.keys(e).length > 0;
  if (has(a) !== has(b)) return { changes: [], packages: [], onlyOneSide: [{ what: "environment", side: has(a) ? "a" : "b" }] };
  const onlyOneSide: EnvDiff["onlyOneSide"] = [];
  const [pa, pb] = [a?.["packages"], b?.["packages"]];
  if ((pa === undefined) !== (pb === undefined)) onlyOneSide.push({ what: "packages", side: pa === undefined ? "b" : "a" });
  const rest = (e: JsonObject | undefined): JsonObject => {
    const { packages: _p, gpus, ...others } = e ?? {};
    const g = gpuNames(gpus);
    return g === undefined ? others : { ...others, gpus: g };
  };
  const packages = onlyOneSide.length > 0 ? [] : packageChanges(pa, pb);
  return { changes: objectChanges(rest(a), rest(b)), packages, onlyOneSide };
}
