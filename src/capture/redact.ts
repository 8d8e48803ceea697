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

/*
 * Every shape of secret that is redacted, in this one place (tests/redact-shapes.test.ts
 * plants each of them in env, argv, config, stdout and stderr and looks for it in every
 * object): names that say their value is a secret (environment variables, config keys,
 * flags, `key=value` and `key: value` in logs), flags whose next argument is one, auth
 * headers, values that are credentials whatever they are called, passwords in URLs, and
 * random-looking keys.
 */

/** Names that say their value is a secret: *TOKEN*, *SECRET*, *PASSWORD*, *PASS, *CREDENTIAL*, *AUTH* (not AUTHOR), ...KEY. */
const SECRET_NAME =
  /(token|secret|passw(or)?d|passwd|pass$|api[-_]?key|access[-_]?key|private[-_]?key|(^|[-_])key$|credential|auth(?!or)|cookie|(^|[-_])dsn$)/i;

/** Flags whose next argument is a secret: -k, --key, --auth*, --pass*, --secret*, --token*, and any secret name. */
const SECRET_FLAG = /^(-k|--?(pass|auth(?!or)|secret|token|key)[A-Za-z0-9_-]*)$/i;

/** `key=value`, `key: value`, `"key": "value"` in text: the value is hidden when the key is a secret name. */
const KEY_VALUE = /(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]*)("?[ \t]*[:=][ \t]*)(["']?)([^\s"',;&]+)/g;

/** curl's `-u user:password` (and `--user`): the password after the colon. */
const USER_PASSWORD = /((?:^|\s)(?:-u|--user)(?:[ \t]+|=)[^\s:'"]+:)([^\s'"]+)/g;

/** An HTTP auth header's credentials: `Bearer xyz`, `Basic dXNlcjpwYXNz`, `Token xyz`. */
const AUTH_HEADER = /\b(Bearer|Basic|Token|Digest)([ \t]+)([A-Za-z0-9._~+/=-]{6,})/gi;

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
  return entropy(s) >= 4.2;
}

/** Bits per character of `s` (Shannon entropy of its characters). */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

/**
 * A value that reads as random, not as words, numbers, a path or a list: 16+ characters
 * without spaces, two kinds of character or more and 3.5 bits of entropy per character.
 */
function isHighEntropy(value: string): boolean {
  if (value.length < 16 || /[\s]/.test(value) || /^[/.~]/.test(value) || /[:,;]/.test(value)) return false;
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
  return kinds >= 2 && entropy(value) >= 3.5;
}

function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** Text with every credential-looking value replaced by [REDACTED]. */
export function redactText(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  for (const s of knownSecrets) if (s.length >= 6) out = out.split(s).join(REDACTED);
  for (const re of SECRET_VALUES) out = out.replace(re, REDACTED);
  out = out.replace(URL_PASSWORD, `$1${REDACTED}$3`);
  out = out.replace(AUTH_HEADER, `$1$2${REDACTED}`);
  out = out.replace(USER_PASSWORD, `$1${REDACTED}`);
  out = out.replace(KEY_VALUE, (m, key: string, sep: string, quote: string, value: string) =>
    isSecretName(key) && value !== REDACTED ? `${key}${sep}${quote}${REDACTED}` : m,
  );
  return out.replace(KEY_LIKE, (m) => (isRandomKey(m) ? REDACTED : m));
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
    const asked = extra.has(name);
    if (!asked && !ALLOWED_ENV.some((re) => re.test(name))) continue;
    // A variable asked for by name may hold anything: a random-looking value is taken for a key.
    out[name] = isSecretName(name) || (asked && isHighEntropy(value)) ? REDACTED : redactText(value);
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
  let prev = "";
  for (const arg of argv) {
    const after = prev;
    prev = arg;
    if ((after === "-u" || after === "--user") && /^[^:\s]+:./.test(arg)) {
      values.push(arg.slice(arg.indexOf(":") + 1));
      out.push(`${arg.slice(0, arg.indexOf(":") + 1)}${REDACTED}`);
      continue;
    }
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
    if (/^--?[A-Za-z]/.test(arg) && !arg.includes("=") && (SECRET_FLAG.test(arg) || isSecretName(arg.replace(/^-+/, "")))) hideNext = true;
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
