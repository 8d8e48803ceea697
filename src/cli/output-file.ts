import { access, constants } from "node:fs/promises";
import { dirname } from "node:path";
import { UsageError } from "../core/errors.js";

/**
 * Refuse an `-o FILE` that cannot be written before any work is done: its folder missing or
 * read-only, or the path a folder itself.
 */
export async function checkWritable(file: string): Promise<void> {
  try {
    await access(dirname(file), constants.W_OK);
  } catch {
    throw new UsageError(`cannot write ${file}: its folder does not exist or is not writable`);
  }
  const isFolder = await access(`${file}/.`).then(
    () => true,
    () => false,
  );
  if (isFolder) throw new UsageError(`cannot write ${file}: it is a folder`);
}
