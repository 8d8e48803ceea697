import { isJsonObject, type JsonObject, type JsonValue } from "../core/json.js";

/**
 * Experiments are pushed to shared remotes, so nothing that looks like a credential is
 * recorded: not in env.json, not in the command line, not in config.json, not in log.txt.
 */
export const REDACTED = "[REDACTED]";

/** Environment variables worth recording: they change what a run computes. */
const ALLOWED_ENV = [
  /^CUDA_/,
  /^CUDNN_/,
  /^CUBLAS_/,
  /^NVIDIA_/,
  /^NCCL_/,
  /^OMP_/,
  /^MKL_/,
  /^OPENBLAS_/,
  /^BLIS_/,
  /^VECLIB_/,
  /^NUMEXPR_/,
  /^PYTHONHASHSEED$/,
  /^PYTHONOPTIMIZE$/,
  /^GIT_EXP_SEED$/,
  /(^|_)SEED$/,
  /^TF_(CPP_|ENABLE_|DETERMINISTIC|CUDNN_|FORCE_|XLA_|GPU_|NUM_|USE_|INTRA_|INTER_)/,
  /^TORCH_/,
  /^PYTORCH_/,
  /^XLA_/,
  /^JAX_/,
  /^KERAS_/,
  /^HF_/,
  /^TRANSFORMERS_/,
  /^TOKENIZERS_PARALLELISM$/,
  /^ACCELERATE_/,
  /^WORLD_SIZE$/,
  /^LOCAL_RANK$/,
  /^RANK$/,
  /^MASTER_(ADDR|PORT)$/,
];

/** Names that say their value is a secret. */
const SECRET_NAME =
  /(token|secret|passw(or)?d|passwd|api[-_]?key|access[-_]?key|private[-_]?key|(^|[-_])key$|credential|(^|[-_])auth([-_]|$)|authorization|cookie|(^|[-_])dsn$)/i;

/** Values that are credentials whatever they are called. */
const SECRET_VALUES: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/g,
  /\b(sk|rk|pk)[-_](live|test|proj|ant)?[-_]?[A-Za-z0-9_-]{20,}\b/g,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/g,
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bhf_[A-Za-z0-9]{20,}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g,
  /\bnpm_[A-Za-z0-9]{30,}\b/g,
];

/** A password in a URL: scheme://user:password@host. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]+)(@)/gi;

/** Candidates for a random key: long runs of letters, digits and base64 punctuation. */
const KEY_LIKE = /(?<![A-Za-z0-9+_=-])[A-Za-z0-9+_-]{32,}={0,2}(?![A-Za-z0-9+_=-])/g;

/**
 * A random key, not a long identifier, path or hex hash: mixed case, several digits and
 * close to the entropy of random characters.
 */
function isRandomKey(s: string): boolean {
  if (!/[a-z]/.test(s) || !/[A-Z]/.test(s) || (s.match(/\d/g)?.length ?? 0) < 4) return false;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h >= 4.2;
}

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Text with every credential-looking value replaced by [REDACTED]. */
export function redactText(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  for (const s of knownSecrets) if (s.length >= 6) out = out.split(s).join(REDACTED);
  for (const re of SECRET_VALUES) out = out.replace(re, REDACTED);
  out = out.replace(URL_PASSWORD, `$1${REDACTED}$3`);
  return out.replace(KEY_LIKE, (m) => (isRandomKey(m) ? REDACTED : m));
}

export function looksSecret(value: string): boolean {
  return redactText(value) !== value;
}

/**
 * The allow-listed environment plus the names a user asked for, with secrets redacted
 * even then (asking for `HF_TOKEN` records that it was set, never its value).
 */
export function captureVariables(environ: NodeJS.ProcessEnv, extraNames: readonly string[] = []): Record<string, string> {
  const extra = new Set(extraNames);
  const out: Record<string, string> = {};
  for (const name of Object.keys(environ).sort()) {
    const value = environ[name];
    if (value === undefined) continue;
    if (!extra.has(name) && !ALLOWED_ENV.some((re) => re.test(name))) continue;
    out[name] = isSecretName(name) ? REDACTED : redactText(value);
  }
  return out;
}

/** Values of secret-named variables of this environment: redacted wherever they show up in a log. */
export function secretValues(environ: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(environ)) {
    if (value && value.length >= 6 && isSecretName(name)) out.push(value);
  }
  return out.sort((a, b) => b.length - a.length);
}

/**
 * A command line as it may be recorded: `--password=x`, `--api-key x`, `token=x` and
 * credential-looking values are redacted; everything else is kept as typed.
 */
export function redactArgv(argv: readonly string[], knownSecrets: readonly string[] = []): string[] {
  return redactArgvWithValues(argv, knownSecrets).argv;
}

/** The redacted command line and the values taken out of it (to be redacted from the log too). */
export function redactArgvWithValues(
  argv: readonly string[],
  knownSecrets: readonly string[] = [],
): { argv: string[]; values: string[] } {
  const out: string[] = [];
  const values: string[] = [];
  let hideNext = false;
  for (const arg of argv) {
    if (hideNext) {
      values.push(arg);
      out.push(REDACTED);
      hideNext = false;
      continue;
    }
    const flag = /^(-{1,2}[A-Za-z0-9_.-]+|[A-Za-z_][A-Za-z0-9_.-]*)=([\s\S]*)$/.exec(arg);
    if (flag && isSecretName(flag[1]!.replace(/^-+/, ""))) {
      values.push(flag[2]!);
      out.push(`${flag[1]}=${REDACTED}`);
      continue;
    }
    if (/^--?[A-Za-z]/.test(arg) && !arg.includes("=") && isSecretName(arg.replace(/^-+/, ""))) hideNext = true;
    out.push(redactText(arg, knownSecrets));
  }
  return { argv: out, values };
}

/** A config with secret-named keys and credential-looking strings redacted. */
export function redactConfig(
  config: JsonObject,
  knownSecrets: readonly string[] = [],
): { config: JsonObject; paths: string[]; values: string[] } {
  const paths: string[] = [];
  const values: string[] = [];
  const walk = (v: JsonValue, path: string): JsonValue => {
    if (typeof v === "string") {
      const r = redactText(v, knownSecrets);
      if (r !== v) paths.push(path);
      return r;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    if (isJsonObject(v)) {
      const o: JsonObject = {};
      for (const [k, x] of Object.entries(v)) {
        const p = path ? `${path}.${k}` : k;
        if (isSecretName(k) && (typeof x === "string" || typeof x === "number" || typeof x === "bigint")) {
          o[k] = REDACTED;
          paths.push(p);
          values.push(String(x));
        } else o[k] = walk(x, p);
      }
      return o;
    }
    return v;
  };
  return { config: walk(config, "") as JsonObject, paths, values };
}
