import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseParamOption, parseParamValue } from "../src/capture/params.js";
import { expandSweep } from "../src/capture/sweep.js";
import { MetricsTail } from "../src/capture/metrics-tail.js";
import { CappedLog } from "../src/capture/capped-log.js";
import { captureVariables, redactArgv, redactText } from "../src/capture/redact.js";
import { captureEnvironment } from "../src/capture/environment.js";
import { logMetrics, readConfig } from "../src/capture/log-metrics.js";
import { InvalidInputError } from "../src/core/errors.js";
import { cleanup, tempDir } from "./helpers/repo.js";

afterAll(cleanup);

describe("-p values", () => {
  it("are typed the way a user means them", () => {
    expect(parseParamValue("0.1")).toBe(0.1);
    expect(parseParamValue("-3e-4")).toBe(-3e-4);
    expect(parseParamValue("true")).toBe(true);
    expect(parseParamValue("null")).toBe(null);
    expect(parseParamValue("007")).toBe("007");
    expect(parseParamValue("1.")).toBe("1.");
    expect(parseParamValue("adam")).toBe("adam");
    expect(parseParamValue('"42"')).toBe("42");
    expect(parseParamValue("[1, 2]")).toEqual([1, 2]);
    expect(parseParamValue("18446744073709551617")).toBe(18446744073709551617n);
  });

  it("split on commas into sweep values, except escaped or inside JSON", () => {
    expect(parseParamOption("lr=0.1,0.01").values).toEqual([0.1, 0.01]);
    expect(parseParamOption("opt.name=adam,sgd").path).toEqual(["opt", "name"]);
    expect(parseParamOption("layers=[64,64],[128]").values).toEqual([[64, 64], [128]]);
    expect(parseParamOption('s="a,b"').values).toEqual(["a,b"]);
    expect(parseParamOption("s=a\\,b").values).toEqual(["a,b"]);
    expect(() => parseParamOption("lr")).toThrow(InvalidInputError);
    expect(() => parseParamOption("a..b=1")).toThrow(InvalidInputError);
  });

  it("expand to the cartesian product, last axis fastest, later values winning", () => {
    const pts = expandSweep({ opt: { lr: 1 } }, [
      parseParamOption("opt.lr=0.1,0.2"),
      parseParamOption("epochs=5,10"),
      parseParamOption("opt.momentum=0.9"),
    ]);
    expect(pts.map((p) => p.config)).toEqual([
      { opt: { lr: 0.1, momentum: 0.9 }, epochs: 5 },
      { opt: { lr: 0.1, momentum: 0.9 }, epochs: 10 },
      { opt: { lr: 0.2, momentum: 0.9 }, epochs: 5 },
      { opt: { lr: 0.2, momentum: 0.9 }, epochs: 10 },
    ]);
    expect(pts[0]!.varying).toEqual({ "opt.lr": 0.1, epochs: 5 });
    expect(() => expandSweep({ lr: 1 }, [parseParamOption("lr.x=1")])).toThrow(InvalidInputError);
  });
});

describe("the metrics file", () => {
  const file = (): string => join(mkdtempSync(join(tmpdir(), "git-exp-metrics-")), "m.jsonl");

  it("is read as it grows, partial lines included only once complete", async () => {
    const f = file();
    const tail = new MetricsTail(f);
    expect(await tail.poll()).toBe(false);
    writeFileSync(f, '{"loss": 1}\n{"loss"');
    await tail.poll();
    expect(tail.latest.get("loss")).toBe(1);
    appendFileSync(f, ': 0.5}\n');
    await tail.poll();
    expect(tail.latest.get("loss")).toBe(0.5);
    const s = await tail.finish();
    expect(s.series["loss"]!.value).toEqual([1, 0.5]);
    expect(s.series["loss"]!.step).toEqual([0, 1]);
  });

  it("stays bounded however long it grows: series are thinned evenly and keep their last point", async () => {
    const f = file();
    const lines: string[] = [];
    for (let i = 0; i < 100_001; i++) lines.push(`{"step": ${i}, "loss": ${i}}`);
    writeFileSync(f, lines.join("\n") + "\n" + "x".repeat(5000) + "\n" + '{"loss": -1}\n');
    const s = await new MetricsTail(f, { maxPoints: 1000, maxSeries: 10, maxLineBytes: 1000 }).finish();
    const loss = s.series["loss"]!;
    expect(loss.step.length).toBeLessThanOrEqual(1001);
    expect(loss.step[0]).toBe(0);
    expect(loss.value.at(-1)).toBe(-1);
    expect(s.thinned["loss"]).toBe(100_002);
    expect(s.skipped).toEqual({ count: 1, firstLine: 100_002 });
    const gaps = new Set(loss.step.slice(0, -2).map((x, i) => loss.step[i + 1]! - x));
    expect(gaps.size).toBe(1);
  });

  it("counts lines that bring more metrics than the limit as skipped", async () => {
    const f = file();
    writeFileSync(f, '{"a": 1, "b": 2}\n{"c": 3}\n{"a": 4}\n');
    const s = await new MetricsTail(f, { maxPoints: 10, maxSeries: 2, maxLineBytes: 100 }).finish();
    expect(Object.keys(s.series)).toEqual(["a", "b"]);
    expect(s.skipped).toEqual({ count: 1, firstLine: 2 });
  });
});

describe("log.txt", () => {
  it("keeps the head and the tail and says how much was cut", () => {
    const log = new CappedLog(100, 100);
    for (let i = 0; i < 1000; i++) log.write(Buffer.from(`line ${i}\n`));
    const text = log.contents().toString();
    expect(text.startsWith("line 0\n")).toBe(true);
    expect(text.endsWith("line 999\n")).toBe(true);
    expect(text).toMatch(/\[git-exp: \d+ bytes of output cut here/);
    expect(text.length).toBeLessThan(400);
  });

  it("is kept whole when short", () => {
    const log = new CappedLog(100, 100);
    log.write(Buffer.from("a\n"));
    log.write(Buffer.from("b"));
    expect(log.contents().toString()).toBe("a\nb");
  });
});

describe("redaction", () => {
  it("catches credential-shaped values and leaves ordinary text alone", () => {
    for (const secret of [
      "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
      "sk-proj-abcdefghijklmnopqrstuv1234",
      "AKIAIOSFODNN7EXAMPLE",
      "xoxb-1234567890-abcdefghij",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
      "aZ3kP9qL2mX7vB4nR8tY1wE6uI0oS5dF",
    ]) {
      expect(redactText(`x ${secret} y`), secret).toBe("x [REDACTED] y");
    }
    expect(redactText("https://user:pa55@host/db")).toBe("https://user:[REDACTED]@host/db");
    for (const plain of [
      "3f786850e387550fdab836ed7e6dc881de23001b",
      "/Users/Alice/Projects/Data2024/train/images",
      "TransformerEncoderLayerWithDropout2",
      "550e8400-e29b-41d4-a716-446655440000",
      "epoch 3/10 loss 0.41",
      "https://example.com/path",
    ]) {
      expect(redactText(plain), plain).toBe(plain);
    }
  });

  it("records allow-listed variables and asked-for ones, secrets redacted even then", () => {
    const vars = captureVariables(
      { CUDA_VISIBLE_DEVICES: "0", OMP_NUM_THREADS: "4", HOME: "/root", AWS_SECRET_ACCESS_KEY: "x", MY_TOKEN: "abc", MY_FLAG: "1", TF_CLI_CONFIG_FILE: "/x" },
      ["MY_TOKEN", "MY_FLAG"],
    );
    expect(vars).toEqual({ CUDA_VISIBLE_DEVICES: "0", OMP_NUM_THREADS: "4", MY_TOKEN: "[REDACTED]", MY_FLAG: "1" });
  });

  it("redacts secret flags in a command line", () => {
    expect(redactArgv(["train", "--api-key", "k", "--password=p", "token=t", "--lr", "0.1"])).toEqual([
      "train", "--api-key", "[REDACTED]", "--password=[REDACTED]", "token=[REDACTED]", "--lr", "0.1",
    ]);
  });
});

describe("the environment", () => {
  it("is cached per machine: a second capture probes nothing slow", async () => {
    const dir = tempDir();
    const environ = { ...process.env };
    const cold = await captureEnvironment({ environ, cwd: dir, cacheDir: dir });
    expect(cold.timings["machine"]).toBeGreaterThan(0);
    const warm = await captureEnvironment({ environ, cwd: dir, cacheDir: dir });
    expect(Object.values(warm.timings).every((t) => t === 0)).toBe(true);
    expect(warm.env).toEqual(cold.env);
    expect(cold.env["os"]).toMatchObject({ platform: process.platform });
    expect(cold.env["cpu"]).toMatchObject({ cores: expect.any(Number) });
    expect(cold.env["memory"]).toMatchObject({ total_bytes: expect.any(Number) });
  });
});

describe("logMetrics", () => {
  it("appends one JSON line per call, NaN as a token, and does nothing outside a run", () => {
    const dir = tempDir();
    const file = join(dir, "m.jsonl");
    const env = { GIT_EXP_METRICS: file, GIT_EXP_CONFIG: join(dir, "c.json") };
    writeFileSync(env.GIT_EXP_CONFIG, '{"lr":0.1}\n');
    expect(readConfig(env)).toEqual({ lr: 0.1 });
    expect(logMetrics({ loss: 0.5, val: { acc: 0.9 } }, { step: 1 }, env)).toBe(true);
    expect(logMetrics({ loss: NaN }, { final: true }, env)).toBe(true);
    expect(readFileSync(file, "utf8")).toBe('{"loss":0.5,"val":{"acc":0.9},"step":1}\n{"loss":NaN,"final":true}\n');
    expect(logMetrics({ loss: 1 }, {}, {})).toBe(false);
  });
});
