import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { isJsonObject, type JsonObject, type JsonValue } from "../core/json.js";
import { MEDIA_MAX_FILE_BYTES, MEDIA_MAX_RUN_BYTES, MEDIA_TYPES, mediaExtension, mediaPath } from "../core/media.js";

/** A media value in a metrics line: `{"samples": {"image": "out/sample-3.png"}}`. */
export function isMediaValue(v: JsonValue | undefined): v is { image: string } {
  return v !== undefined && isJsonObject(v) && Object.keys(v).length === 1 && typeof v["image"] === "string";
}

/** Warnings said one by one up to this many; the rest are counted. */
const MAX_WARNINGS = 20;

/**
 * The images a run logs through its metrics lines, each read when its line is (the run may
 * write the next step's image to the same file), kept as `media/<key>/<step>.<ext>` or
 * refused with a warning: another type, a missing file, past the cap of a file or of the run.
 * Never dropped without a word.
 */
export class MediaLog {
  readonly files: Record<string, Uint8Array> = {};
  private readonly said: string[] = [];
  private unsaid = 0;
  private bytes = 0;

  constructor(private readonly cwd: string) {}

  /** The line without its media values, which are taken in here. */
  take(line: JsonObject, step: number): JsonObject {
    if (!Object.values(line).some((v) => isMediaValue(v))) return line;
    const rest: JsonObject = {};
    for (const [key, v] of Object.entries(line)) {
      if (isMediaValue(v)) this.add(key, v.image, step);
      else rest[key] = v;
    }
    return rest;
  }

  private add(key: string, file: string, step: number): void {
    const what = `media ${key} at step ${step} (${file})`;
    if (!Number.isSafeInteger(step) || step < 0) return this.warn(`${what}: a media step is a whole number from 0; not kept`);
    const ext = mediaExtension(file);
    if (!ext) return this.warn(`${what}: not one of ${Object.keys(MEDIA_TYPES).join(", ")}; not kept`);
    const path = resolve(this.cwd, file);
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return this.warn(`${what}: the file does not exist; not kept`);
    }
    if (size > MEDIA_MAX_FILE_BYTES) return this.warn(`${what}: ${size} bytes, over the ${MEDIA_MAX_FILE_BYTES} bytes a media file may have; not kept`);
    let target: string;
    try {
      target = mediaPath(key, step, ext);
    } catch (e) {
      return this.warn(`${what}: ${(e as Error).message}; not kept`);
    }
    const before = this.files[target]?.length ?? 0;
    if (this.bytes - before + size > MEDIA_MAX_RUN_BYTES) return this.warn(`${what}: the run's media would pass ${MEDIA_MAX_RUN_BYTES} bytes; not kept`);
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (e) {
      return this.warn(`${what}: cannot read it (${(e as Error).message}); not kept`);
    }
    this.bytes += data.length - before;
    this.files[target] = data;
  }

  private warn(text: string): void {
    if (this.said.length < MAX_WARNINGS) this.said.push(text);
    else this.unsaid++;
  }

  /** What was refused, for the run to say. */
  warnings(): string[] {
    return this.unsaid ? [...this.said, `${this.unsaid} more media values were not kept`] : [...this.said];
  }
}
