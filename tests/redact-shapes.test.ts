import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, cli, makeRepo, writeJson } from "./helpers/repo.js";

afterAll(cleanup);

/** Distinct values, none of which a value pattern alone would catch: only their shape gives them away. */
const v = (n: number): string => `plant${n}x${"qz".repeat(3)}${n}`;

/** Every shape of src/capture/redact.ts, each holding its own planted value. */
const ENV: Record<string, string> = {
  MYPASS: v(1),
  DB_PASSWD: v(2),
  AWS_CREDENTIALS_FILE_CONTENT: v(3),
  X_AUTH: v(4),
  API_TOKEN: v(5),
  MY_SECRET: v(6),
  // no secret in the name: only its randomness gives it away
  MY_BLOB: "q8Zr2LmX7vTb4NpK9sWd3Hf",
};

const ARGV = [
  "--key", v(10),
  "-k", v(11),
  "--auth", v(12),
  "--password", v(13),
  "--passphrase", v(14),
  "--secret-value", v(15),
  "--token", v(16),
  "--api-key=" + v(17),
  `Authorization: Bearer ${v(18)}`,
  `Basic ${Buffer.from(`user:${v(19)}`).toString("base64")}`,
  `https://user:${v(20)}@example.org/data`,
  "-u", `user:${v(21)}`,
];

const CONFIG = { db: { password: v(30), host: "db.example.org" }, api_token: v(31), url: `postgres://app:${v(32)}@db/x`, lr: 0.1 };

const STDOUT = [`token=${v(40)}`, `password: ${v(41)}`, `{"secret": "${v(42)}"}`, `auth_header=Bearer ${v(43)}`, `api_key = ${v(44)}`];
const STDERR = [`password: ${v(50)}`, `Authorization: Bearer ${v(51)}`, `client_secret=${v(52)}`, `MYPASS=${v(53)}`, `curl -u user:${v(54)} -H 'Authorization: Basic ${v(55)}'`];

describe("secrets never reach a git object", () => {
  it("every shape planted in env, argv, config, stdout and stderr: 0 hits across all objects", async () => {
    const dir = makeRepo({ commit: true });
    const config = writeJson(dir, "config.json", CONFIG);
    const script = [...STDOUT.map((l) => `printf '%s\\n' '${l}'`), ...STDERR.map((l) => `printf '%s\\n' '${l.replace(/'/g, "'\\''")}' >&2`)].join("; ");
    const env = Object.keys(ENV).flatMap((name) => ["--env", name]);
    const r = await cli(dir, ["run", "--name", "planted", "--config", config, ...env, "--", "sh", "-c", script, "sh", ...ARGV], { env: ENV });
    expect(r.code, r.stderr).toBe(0);
    const objects = execFileSync("git", ["cat-file", "--batch-all-objects", "--batch"], { cwd: dir, maxBuffer: 1 << 28 }).toString("latin1");
    const planted = [...Object.values(ENV), ...[10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 30, 31, 32, 40, 41, 42, 43, 44, 50, 51, 52, 53, 54, 55].map(v)];
    planted.push(Buffer.from(`user:${v(19)}`).toString("base64"));
    const hits = planted.filter((p) => objects.includes(p));
    expect(hits).toEqual([]);
    // What is not secret is kept: the run is still useful.
    expect(objects).toContain("db.example.org");
    expect(objects).toContain("[REDACTED]");
  }, 120_000);
});
