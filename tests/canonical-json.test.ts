import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import stableStringify from "fast-json-stable-stringify";
import { describe, expect, it } from "vitest";
import { canonicalJson, decodeNonFinite, mayHoldLongInteger, parseJson, toPlainJson } from "../src/core/json.js";
import { InvalidInputError } from "../src/core/errors.js";
import { experimentFromFiles } from "../src/core/experiment.js";
import { ROOT } from "./helpers/repo.js";

const JCS = join(ROOT, "..", "shared", "testdata", "jcs");

describe("canonical JSON", () => {
  const vectors = existsSync(JCS) ? readdirSync(join(JCS, "input")) : [];
  it.runIf(vectors.length > 0)("passes the RFC 8785 vectors (with one trailing newline)", () => {
    for (const name of vectors) {
      const input = readFileSync(join(JCS, "input", name), "utf8");
      const expected = readFileSync(join(JCS, "output", name), "utf8");
      expect(canonicalJson(parseJson(input)), name).toBe(expected + "\n");
    }
  });
  it.runIf(vectors.length === 0)(`SKIPPED: RFC 8785 vectors not found at ${JCS}`, () => {
    console.warn(`RFC 8785 vectors skipped: ${JCS} is absent`);
  });

  it("agrees with fast-json-stable-stringify on plain values", () => {
    const v = { b: [1, 2.5, "x", null, true], a: { "é": 1, Z: -0.000001, z: 1e21 }, "\u0001": "ctl\n" };
    expect(canonicalJson(v)).toBe(stableStringify(v) + "\n");
  });

  it("writes numbers in ECMAScript shortest form whatever the input spelling", () => {
    expect(canonicalJson(parseJson('{"a": 1.0, "b": 1E-7, "c": 100e0, "d": -0}'))).toBe('{"a":1,"b":1e-7,"c":100,"d":0}\n');
  });

  it("keeps integers beyond 2^53 exactly", () => {
    const text = '{"seed": 18446744073709551615, "small": 9007199254740993, "neg": -123456789012345678901}';
    const v = parseJson(text);
    expect(canonicalJson(v)).toBe('{"neg":-123456789012345678901,"seed":18446744073709551615,"small":9007199254740993}\n');
  });

  it("keeps long integers exactly wherever they sit, next to floats with many digits", () => {
    const text = '{"f": [0.30000000000000004, -1.2345678901234567e-20], "i": [-9007199254740993, 123456789012345678901], "e": 12345678901234567e2}';
    const v = parseJson(text) as Record<string, unknown[] | number>;
    expect(v["i"]).toEqual([-9007199254740993n, 123456789012345678901n]);
    expect(v["f"]).toEqual([0.30000000000000004, -1.2345678901234567e-20]);
    expect(v["e"]).toBe(12345678901234567e2);
    expect(mayHoldLongInteger(text)).toBe(true);
  });

  it("reads floats with 16+ digits through JSON.parse, exactly as JSON.parse reads them", () => {
    const floats = ['{"a": 0.30000000000000004}', "[1.2345678901234567e+300, -0.12345678901234567]", '{"x": 1e-12345678901234567}', '{"y": 1234567890123456.5}'];
    for (const text of floats) {
      expect(mayHoldLongInteger(text)).toBe(false);
      expect(parseJson(text)).toEqual(JSON.parse(text));
    }
    for (const text of ["12345678901234567", "[-12345678901234567]", '{"a":1,"b":12345678901234567}']) {
      expect(mayHoldLongInteger(text)).toBe(true);
    }
  });

  it("encodes NaN and infinities as strings in results and refuses them elsewhere, naming the path", () => {
    expect(canonicalJson({ loss: NaN, x: { y: -Infinity } }, { nonFinite: "encode" })).toBe('{"loss":"NaN","x":{"y":"-Infinity"}}\n');
    expect(() => canonicalJson({ lr: { a: [1, NaN] } })).toThrow(/\$\.lr\.a\[1\]/);
  });

  it("reads NaN and infinities in results and series files however the strings are spelled", () => {
    const enc = (text: string): Uint8Array => new TextEncoder().encode(text);
    const files = new Map<string, Uint8Array>([
      ["experiment.json", enc('{"schema":1,"status":"completed","created_at":"2026-01-01T00:00:00.000Z","created_by":{"name":"A","email":"a@example.com"}}')],
      ["config.json", enc('{"note":"NaN stays text here"}')],
      ["results.json", enc('{"a":"\\u004eaN","b":"-Infinity","c":0.5}')],
      ["series/loss.json", enc('{"step":[0,1],"value":[1,"\\u004eaN"]}')],
    ]);
    const exp = experimentFromFiles(files);
    expect(exp.results["a"]).toBeNaN();
    expect(exp.results["b"]).toBe(-Infinity);
    expect(exp.results["c"]).toBe(0.5);
    expect(exp.series["loss"]!.value[1]).toBeNaN();
    expect(exp.config["note"]).toBe("NaN stays text here");
  });

  it("refuses undefined inside arrays and non-JSON values, naming the path", () => {
    expect(() => canonicalJson({ a: [1, undefined] })).toThrow(InvalidInputError);
    expect(() => canonicalJson({ a: [1, undefined] })).toThrow(/\$\.a\[1\]/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/\$\.f/);
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}\n');
  });

  it("names deep paths exactly, keys that are not identifiers in brackets", () => {
    expect(() => canonicalJson({ ok: 1, "a b": { c: [1, { d: NaN }] } })).toThrow(/ at \$\["a b"\]\.c\[1\]\.d$/);
    expect(() => canonicalJson({ x: [{ y: new Date(0) }] })).toThrow(/only plain objects .* at \$\.x\[0\]\.y$/);
    expect(() => canonicalJson(NaN)).toThrow(/ at \$$/);
  });

  it("gives validators bigints as doubles, copying only a value that holds one", () => {
    const plain = { a: [1, { b: "x" }], c: null };
    expect(toPlainJson(plain)).toBe(plain);
    const big = parseJson('{"a": [1, {"seed": 12345678901234567890}], "c": 2}');
    expect(toPlainJson(big)).toEqual({ a: [1, { seed: 12345678901234567890 }], c: 2 });
    expect(typeof (big as { a: [number, { seed: unknown }] }).a[1].seed).toBe("bigint");
  });

  it("accepts Python's bare NaN and Infinity only where allowed", () => {
    const py = '{"loss": NaN, "best": Infinity, "worst": -Infinity}';
    expect(decodeNonFinite(parseJson(py, { allowNonFinite: true }))).toEqual({ loss: NaN, best: Infinity, worst: -Infinity });
    expect(() => parseJson(py)).toThrow(/NaN is not allowed/);
  });

  it("reports a syntax error with line and column", () => {
    expect(() => parseJson('{\n  "a": 1,\n  "b": }', { source: "c.json" })).toThrow(/c\.json: invalid JSON at line 3, column 8/);
  });

  it("keeps a __proto__ key as data", () => {
    const v = parseJson('{"__proto__": {"x": 1}, "seed": 12345678901234567890}') as Record<string, unknown>;
    expect(Object.keys(v)).toContain("__proto__");
    expect(canonicalJson(v)).toBe('{"__proto__":{"x":1},"seed":12345678901234567890}\n');
  });
});
