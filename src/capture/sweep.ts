import { InvalidInputError } from "../core/errors.js";
import { isJsonObject, type JsonObject, type JsonValue } from "../core/json.js";
import { cloneJson, loadConfigFile, parseKeyPath, setPath, type ParamAxis } from "./params.js";

/** One point of a sweep: its full config and the values that vary across the sweep. */
export interface SweepPoint {
  config: JsonObject;
  /** key path -> value, only for axes with more than one value. */
  varying: Record<string, JsonValue>;
}

/** Sweeps larger than this are almost always a typo (a comma too many); refuse them. */
const MAX_SWEEP_POINTS = 10_000;

/**
 * The cartesian product of the axes over a base config, in the order a user reads it:
 * the last axis varies fastest, as in nested for-loops.
 */
export function expandSweep(base: JsonObject, axes: ParamAxis[]): SweepPoint[] {
  const merged = new Map<string, ParamAxis>();
  for (const a of axes) {
    if (a.values.length === 0) throw new InvalidInputError(`${a.path.join(".")} has no values to sweep over`);
    merged.delete(a.path.join("."));
    merged.set(a.path.join("."), a);
  }
  const list = [...merged.values()];
  const total = list.reduce((n, a) => n * a.values.length, 1);
  if (total > MAX_SWEEP_POINTS) {
    throw new InvalidInputError(`the sweep has ${total} points, more than ${MAX_SWEEP_POINTS}; check the -p lists and --grid`);
  }
  const points: SweepPoint[] = [];
  const pick = (i: number, config: JsonObject, varying: Record<string, JsonValue>): void => {
    if (i === list.length) {
      points.push({ config, varying });
      return;
    }
    const axis = list[i]!;
    for (const v of axis.values) {
      const c = cloneJson(config);
      setPath(c, axis.path, cloneJson(v));
      pick(i + 1, c, axis.values.length > 1 ? { ...varying, [axis.path.join(".")]: v } : varying);
    }
  };
  pick(0, cloneJson(base), {});
  return points;
}

/**
 * A grid file (JSON or YAML): `{"lr": [0.1, 0.01], "optim.name": ["adam", "sgd"]}`, a key
 * path to a list of values (a single value is fixed). The W&B sweep form
 * `{"parameters": {"lr": {"values": [...]}, "epochs": {"value": 5}}}` is read too.
 */
export async function loadGrid(path: string): Promise<ParamAxis[]> {
  const doc = await loadConfigFile(path, "grid");
  const params = isJsonObject(doc["parameters"]) ? doc["parameters"] : doc;
  const axes: ParamAxis[] = [];
  for (const [key, spec] of Object.entries(params)) {
    const where = `${path}: ${key}`;
    let values: JsonValue[];
    if (isJsonObject(spec) && Array.isArray(spec["values"])) values = spec["values"];
    else if (isJsonObject(spec) && "value" in spec) values = [spec["value"]!];
    else if (Array.isArray(spec)) values = spec;
    else values = [spec];
    if (values.length === 0) throw new InvalidInputError(`${where} has an empty list of values`, { file: path });
    axes.push({ path: parseKeyPath(key, where), values });
  }
  return axes;
}
