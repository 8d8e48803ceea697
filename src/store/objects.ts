import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";

/** The repository's object format: `git rev-parse --show-object-format`. */
export type HashAlgo = "sha1" | "sha256";
export type ObjectType = "blob" | "tree" | "commit";

/** A git object computed in process: its id is known before git ever sees it. */
export interface GitObject {
  id: string;
  type: ObjectType;
  body: Uint8Array;
}

export function makeObject(type: ObjectType, body: Uint8Array, algo: HashAlgo): GitObject {
  const h = createHash(algo);
  h.update(`${type} ${body.length}\0`);
  h.update(body);
  return { id: h.digest("hex"), type, body };
}

/** A folder's mode in a tree object, as git writes it (no leading zero). */
export const TREE_MODE = "40000";

export interface TreeEntry {
  name: string;
  mode: "100644" | "40000";
  id: string;
}

/** Git sorts tree entries by name bytes, a subtree comparing as if its name ended in '/'. */
function sortKey(e: TreeEntry): Buffer {
  return Buffer.from(e.mode === "40000" ? `${e.name}/` : e.name, "utf8");
}

function treeBody(entries: TreeEntry[]): Uint8Array {
  const keyed = entries.map((e) => ({ e, key: sortKey(e) }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  const parts: Buffer[] = [];
  for (const { e } of keyed) {
    parts.push(Buffer.from(`${e.mode} ${e.name}\0`, "utf8"), Buffer.from(e.id, "hex"));
  }
  return Buffer.concat(parts);
}

/**
 * Blobs and trees for a set of files given by slash paths. Returns every object (root tree
 * last) so a writer can send them in one batch.
 */
export function buildTree(files: { path: string; data: Uint8Array }[], algo: HashAlgo): GitObject[] {
  interface Dir {
    files: Map<string, GitObject>;
    dirs: Map<string, Dir>;
  }
  const root: Dir = { files: new Map(), dirs: new Map() };
  for (const f of files) {
    const parts = f.path.split("/");
    let dir = root;
    for (const p of parts.slice(0, -1)) {
      let next = dir.dirs.get(p);
      if (!next) dir.dirs.set(p, (next = { files: new Map(), dirs: new Map() }));
      dir = next;
    }
    dir.files.set(parts[parts.length - 1]!, makeObject("blob", f.data, algo));
  }
  const out: GitObject[] = [];
  const emit = (dir: Dir): GitObject => {
    const entries: TreeEntry[] = [];
    for (const [name, blob] of dir.files) {
      out.push(blob);
      entries.push({ name, mode: "100644", id: blob.id });
    }
    for (const [name, sub] of dir.dirs) entries.push({ name, mode: "40000", id: emit(sub).id });
    const tree = makeObject("tree", treeBody(entries), algo);
    out.push(tree);
    return tree;
  };
  emit(root);
  return out;
}

export interface CommitFields {
  tree: string;
  parents: string[];
  name: string;
  email: string;
  seconds: number;
  message: string;
}

/** Commit bytes exactly as DESIGN.md fixes them: author = committer, zone +0000. */
export function commitBody(c: CommitFields): Uint8Array {
  const ident = `${c.name} <${c.email}> ${c.seconds} +0000`;
  const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`), `author ${ident}`, `committer ${ident}`];
  return Buffer.from(`${lines.join("\n")}\n\n${c.message}`, "utf8");
}

/** The tree a commit's body names on its first line (where git puts it), if it does. */
export function commitTreeId(body: Uint8Array): string | undefined {
  return /^tree ([0-9a-f]+)\n/.exec(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("latin1", 0, 80))?.[1];
}

/** Parse a tree object's body into entries. */
export function parseTree(body: Uint8Array, algo: HashAlgo): { mode: string; name: string; id: string }[] {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const idLen = algo === "sha256" ? 32 : 20;
  const out: { mode: string; name: string; id: string }[] = [];
  let i = 0;
  while (i < buf.length) {
    const sp = buf.indexOf(0x20, i);
    const nul = sp < 0 ? -1 : buf.indexOf(0, sp);
    // A damaged tree (git would refuse it): an error, never a loop over garbage.
    if (sp < 0 || nul < 0 || nul + 1 + idLen > buf.length) throw new Error("malformed tree object");
    out.push({
      mode: buf.toString("latin1", i, sp),
      name: buf.toString("utf8", sp + 1, nul),
      id: buf.toString("hex", nul + 1, nul + 1 + idLen),
    });
    i = nul + 1 + idLen;
  }
  return out;
}

/** A packfile (version 2) holding the objects, for `git index-pack` / `unpack-objects`. */
export function packfile(objects: GitObject[], algo: HashAlgo): Buffer {
  const typeCode: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3 };
  const header = Buffer.alloc(12);
  header.write("PACK", 0, "latin1");
  header.writeUInt32BE(2, 4);
  header.writeUInt32BE(objects.length, 8);
  const parts: Buffer[] = [header];
  for (const o of objects) {
    let size = o.body.length;
    const bytes: number[] = [(typeCode[o.type] << 4) | (size & 0x0f)];
    size >>>= 4;
    while (size > 0) {
      bytes[bytes.length - 1]! |= 0x80;
      bytes.push(size & 0x7f);
      size >>>= 7;
    }
    parts.push(Buffer.from(bytes), deflateSync(o.body, { level: 1 }));
  }
  const body = Buffer.concat(parts);
  return Buffer.concat([body, createHash(algo).update(body).digest()]);
}
