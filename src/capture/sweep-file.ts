import { parseSweepSpec, type SweepSpec } from "../core/sweep-spec.js";
import { readText } from "./load.js";
import { loadConfigFile } from "./params.js";

/** A W&B sweep file (YAML or JSON), read and checked: every refusal happens here, before anything runs. */
export async function loadSweepFile(path: string, shownAs = path): Promise<SweepSpec> {
  // "sweep": the readers say "sweep file PATH does not exist"
  const doc = await loadConfigFile(path, "sweep");
  return parseSweepSpec(doc, shownAs, await writtenAsFloat(await readText(path, "sweep")));
}

/**
 * The key paths of numbers written with a fraction or exponent (`min: 0.0`): W&B, in Python,
 * reads `{min: 0.0, max: 1.0}` as a uniform float and `{min: 0, max: 1}` as int_uniform, a
 * difference JSON numbers lose. JSON is YAML, so one YAML pass serves both.
 */
async function writtenAsFloat(text: string): Promise<Set<string>> {
  const { parseDocument, visit, isPair, isScalar } = await import("yaml");
  const out = new Set<string>();
  visit(parseDocument(text), {
    Scalar(_key, node, path) {
      if (typeof node.value !== "number" || !/[.eE]/.test(node.source ?? "")) return;
      const keys = path.filter(isPair).map((p) => (isScalar(p.key) ? String(p.key.value) : ""));
      out.add(keys.join("."));
    },
  });
  return out;
}
