import { createHash } from "node:crypto";
import { CorruptDataError, NotFoundError } from "../core/errors.js";
import type { Experiment } from "../core/experiment.js";
import { parseMediaPath } from "../core/media.js";
import type { ExperimentStore } from "../store/experiment-store.js";
import { shortId } from "../core/ids.js";

/** One file an experiment keeps: an artifact (under artifacts/) or a logged image (media/). */
export interface StoredFile {
  path: string;
  kind: "artifact" | "media";
  size: number;
  sha256: string;
  /** The checksum outputs.json recorded for the artifact, when it did. */
  recorded: string | null;
  /** The outputs.json key (artifacts) or media key and step. */
  output?: string;
  media?: { key: string; step: number };
}

export interface ArtifactListing {
  id: string;
  files: StoredFile[];
  /** Outputs recorded by checksum only (not kept in the experiment: too large, or not asked). */
  checksumOnly: { path: string; size: number | null; sha256: string | null }[];
}

const ARTIFACTS = "artifacts/";

export function sha256(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** outputs.json keys by the artifacts/ path their blob is kept under (leading slashes dropped, as run stores them). */
function outputsByPath(exp: Experiment): Map<string, { key: string; sha256: string | null; size: number | null }> {
  const out = new Map<string, { key: string; sha256: string | null; size: number | null }>();
  for (const [key, v] of Object.entries(exp.outputs ?? {})) {
    const o = (v ?? {}) as { sha256?: unknown; size?: unknown };
    out.set(ARTIFACTS + key.replace(/^\/+/, ""), {
      key,
      sha256: typeof o.sha256 === "string" ? o.sha256 : null,
      size: typeof o.size === "number" ? o.size : null,
    });
  }
  return out;
}

/** Every stored file of an experiment, artifacts first, each with its size and sha256. */
function storedFiles(id: string, exp: Experiment): ArtifactListing {
  const outputs = outputsByPath(exp);
  const files: StoredFile[] = [];
  for (const [path, data] of Object.entries(exp.files)) {
    if (path.startsWith(ARTIFACTS)) {
      const o = outputs.get(path);
      files.push({ path, kind: "artifact", size: data.length, sha256: sha256(data), recorded: o?.sha256 ?? null, ...(o ? { output: o.key } : {}) });
    } else {
      const m = parseMediaPath(path);
      if (m) files.push({ path, kind: "media", size: data.length, sha256: sha256(data), recorded: null, media: { key: m.key, step: m.step } });
    }
  }
  files.sort((a, b) => (a.kind !== b.kind ? (a.kind === "artifact" ? -1 : 1) : a.media && b.media ? a.media.key.localeCompare(b.media.key) || a.media.step - b.media.step : a.path < b.path ? -1 : 1));
  const checksumOnly = [...outputs]
    .filter(([path]) => !(path in exp.files))
    .map(([, o]) => ({ path: o.key, size: o.size, sha256: o.sha256 }));
  return { id, files, checksumOnly };
}

export async function listArtifacts(store: ExperimentStore, spec: string): Promise<ArtifactListing> {
  const id = await store.resolve(spec);
  return storedFiles(id, await store.read(id));
}

/**
 * One stored file, found by its tree path (`artifacts/model.pt`, `media/samples/3.png`) or by
 * the output path it was recorded under (`model.pt`), with its bytes checked against the
 * checksum outputs.json recorded: a mismatch is refused, never written out.
 */
export async function getArtifact(store: ExperimentStore, spec: string, path: string): Promise<{ id: string; file: StoredFile; data: Uint8Array }> {
  const id = await store.resolve(spec);
  const exp = await store.read(id);
  const listing = storedFiles(id, exp);
  const clean = path.replace(/^\.\//, "");
  const file = listing.files.find((f) => f.path === clean) ?? listing.files.find((f) => f.output === clean || f.path === ARTIFACTS + clean.replace(/^\/+/, ""));
  if (!file) {
    const only = listing.checksumOnly.find((o) => o.path === clean);
    if (only) throw new NotFoundError(`${clean} was recorded by checksum only (sha256 ${only.sha256 ?? "?"}), not kept in experiment ${shortId(id)}; run with --store-output ${clean} to keep a copy`);
    const names = listing.files.slice(0, 8).map((f) => f.path);
    throw new NotFoundError(
      `experiment ${shortId(id)} keeps no file ${clean}${names.length ? `; it keeps ${names.join(", ")}${listing.files.length > 8 ? ", ..." : ""}` : ": it keeps no artifacts or media"} (see git exp artifacts ${shortId(id)})`,
    );
  }
  if (file.recorded !== null && file.recorded !== file.sha256) {
    throw new CorruptDataError(
      `${file.path} of experiment ${shortId(id)} does not match its recorded checksum (recorded sha256 ${file.recorded}, stored blob ${file.sha256}); nothing was written`,
    );
  }
  return { id, file, data: exp.files[file.path]! };
}
