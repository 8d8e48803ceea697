import { InvalidInputError } from "./errors.js";

/**
 * Images logged during a run: `media/<key>/<step>.<ext>` in the experiment's tree (DESIGN.md
 * section 1), one blob a step. The key is escaped as a series name is ('%' and '/'), so one
 * key is one folder.
 */
export const MEDIA_TYPES: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  svg: "image/svg+xml",
  webp: "image/webp",
};

/** The largest media file kept: past it the file is refused (with a warning at capture). */
export const MEDIA_MAX_FILE_BYTES = 1 << 20;
/** All media of one run together. */
export const MEDIA_MAX_RUN_BYTES = 16 << 20;

export interface MediaFile {
  key: string;
  step: number;
  ext: string;
}

function escapeKey(key: string): string {
  return key.replace(/%/g, "%25").replace(/\//g, "%2F");
}

/** The extension of a file name in lower case, when it is a media type. */
export function mediaExtension(fileName: string): string | undefined {
  const m = /\.([A-Za-z0-9]+)$/.exec(fileName);
  const ext = m?.[1]!.toLowerCase();
  return ext !== undefined && Object.hasOwn(MEDIA_TYPES, ext) ? ext : undefined;
}

/** Where one step's image of a key is kept. */
export function mediaPath(key: string, step: number, ext: string): string {
  if (key === "" || key === "." || key === ".." || /[\u0000-\u001f\u007f]/.test(key)) {
    throw new InvalidInputError(`${JSON.stringify(key)} cannot name a media key: use printable text`);
  }
  if (!Number.isSafeInteger(step) || step < 0) throw new InvalidInputError(`media of ${key}: the step must be a whole number from 0, not ${step}`);
  if (!Object.hasOwn(MEDIA_TYPES, ext)) throw new InvalidInputError(`media of ${key}: .${ext} is not one of ${Object.keys(MEDIA_TYPES).join(", ")}`);
  return `media/${escapeKey(key)}/${step}.${ext}`;
}

/** A tree path read back as media, or undefined when it is not of the form. */
export function parseMediaPath(path: string): MediaFile | undefined {
  const m = /^media\/([^/]+)\/(0|[1-9]\d{0,15})\.([a-z0-9]+)$/.exec(path);
  if (!m || !Object.hasOwn(MEDIA_TYPES, m[3]!)) return undefined;
  const step = Number(m[2]);
  if (!Number.isSafeInteger(step)) return undefined;
  return { key: m[1]!.replace(/%2F/gi, "/").replace(/%25/g, "%"), step, ext: m[3]! };
}

/**
 * Refuse media files of another form or past the caps: what `validateExperiment` checks on
 * write and on pull, so a dashboard never serves a file of a type it does not know.
 */
export function checkMediaFiles(files: Record<string, Uint8Array>): void {
  let total = 0;
  for (const [path, data] of Object.entries(files)) {
    if (!path.startsWith("media/")) continue;
    if (!parseMediaPath(path)) {
      throw new InvalidInputError(`${path}: media files are media/<key>/<step>.<ext> with a whole step and one of ${Object.keys(MEDIA_TYPES).join(", ")}`);
    }
    if (data.length > MEDIA_MAX_FILE_BYTES) {
      throw new InvalidInputError(`${path} is ${data.length} bytes, over the ${MEDIA_MAX_FILE_BYTES} bytes a media file may have`);
    }
    total += data.length;
  }
  if (total > MEDIA_MAX_RUN_BYTES) throw new InvalidInputError(`the media of this experiment are ${total} bytes, over the ${MEDIA_MAX_RUN_BYTES} bytes one experiment may hold`);
}

/** Media of an experiment by key, steps ascending. */
export function mediaByKey(paths: Iterable<string>): Map<string, { step: number; path: string }[]> {
  const out = new Map<string, { step: number; path: string }[]>();
  for (const path of paths) {
    const m = parseMediaPath(path);
    if (!m) continue;
    if (!out.has(m.key)) out.set(m.key, []);
    out.get(m.key)!.push({ step: m.step, path });
  }
  for (const list of out.values()) list.sort((a, b) => a.step - b.step);
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
