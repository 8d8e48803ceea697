import { lstat, mkdir, stat, symlink } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";
import { isJsonObject, type JsonObject } from "../core/json.js";
import { sha256File, type FileSum } from "./checksums.js";

export interface InputProblem {
  path: string;
  kind: "missing" | "changed";
  recorded: FileSum;
  now?: FileSum;
}

export interface InputCheck {
  /** inputs.json as the rerun sees it: current checksums, dataset entries carried over. */
  inputs: JsonObject;
  problems: InputProblem[];
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Check every recorded input where the rerun will read it: inside the checkout when the
 * source commit tracks it, else in the user's work tree (data is rarely committed), which
 * is then linked into the checkout at the same relative path.
 */
export async function checkInputs(recorded: JsonObject | undefined, checkout: string, workTree: string | null): Promise<InputCheck> {
  const out: InputCheck = { inputs: {}, problems: [] };
  for (const [path, entry] of Object.entries(recorded ?? {})) {
    if (!isJsonObject(entry) || typeof entry["sha256"] !== "string") {
      out.inputs[path] = entry;
      continue;
    }
    const want = entry as FileSum;
    const located = await locate(path, checkout, workTree);
    if (located === undefined) {
      out.problems.push({ path, kind: "missing", recorded: want });
      continue;
    }
    const now: FileSum = { sha256: await sha256File(located.file), size: (await stat(located.file)).size };
    out.inputs[path] = { ...entry, ...now };
    if (now.sha256 !== want.sha256 || now.size !== want.size) out.problems.push({ path, kind: "changed", recorded: want, now });
    if (located.link) await linkInto(located.file, located.link);
  }
  return out;
}

async function locate(path: string, checkout: string, workTree: string | null): Promise<{ file: string; link?: string } | undefined> {
  if (isAbsolute(path)) return (await exists(path)) ? { file: path } : undefined;
  const inCheckout = join(checkout, path);
  if (await exists(inCheckout)) return { file: inCheckout };
  if (workTree === null) return undefined;
  const inWorkTree = join(workTree, path);
  return (await exists(inWorkTree)) ? { file: inWorkTree, link: inCheckout } : undefined;
}

async function linkInto(target: string, link: string): Promise<void> {
  await mkdir(dirname(link), { recursive: true });
  await symlink(target, link);
}
