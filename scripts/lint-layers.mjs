#!/usr/bin/env node
// The layer rule of the design (capture -> store -> core, index -> store, analysis -> index,
// report -> core, api above them all, cli above api reaching only api, report and core): a
// file may import only its own layer and the layers listed for it, and a private module only
// its own layer. Run by `npm run lint`; prints each import that points the wrong way.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve, dirname, sep } from "node:path";

const below = {
  core: [],
  store: ["core"],
  capture: ["store", "core"],
  index: ["store", "core"],
  analysis: ["index", "store", "core"],
  report: ["core"],
  api: ["analysis", "index", "capture", "store", "report", "core"],
  cli: ["api", "report", "core"],
};

// Modules only their own layer may import: git itself is reached through store's functions,
// which run it in the repository's environment.
const privateModules = { "store/git.ts": "store" };

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const src = join(root, "src");
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith(".ts")) files.push(path);
  }
};
walk(src);

const layerOf = (path) => {
  const rel = relative(src, path).split(sep);
  return rel.length > 1 ? rel[0] : "lib";
};
const importRe = /^\s*(import|export)\s+(type\s+)?[^;]*?from\s+["'](\.[^"']+)["']/gms;
const problems = [];
for (const file of files) {
  const from = layerOf(file);
  if (from === "lib") continue;
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(importRe)) {
    const target = resolve(dirname(file), m[3]);
    if (!target.startsWith(src + sep)) continue;
    const to = layerOf(target);
    const module = relative(src, target).split(sep).join("/").replace(/\.js$/, ".ts");
    if (privateModules[module] !== undefined && privateModules[module] !== from) {
      problems.push(`${relative(root, file)}: imports src/${module} (${m[3]}), which only src/${privateModules[module]} may import`);
      continue;
    }
    if (to === from || to === "lib") continue;
    if (to === "cli") {
      problems.push(`${relative(root, file)}: imports src/cli (${m[3]}): nothing imports the cli layer`);
      continue;
    }
    if (below[from]?.includes(to)) continue;
    problems.push(`${relative(root, file)}: ${from} imports ${to} (${m[3]}); ${from} may import ${below[from].join(", ") || "nothing of the project"}`);
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  console.error(`\n${problems.length} import(s) against the layer rule (CONTRIBUTING.md names the layers).`);
  process.exit(1);
}
console.log(`layers: ${files.length} files, every import points down`);
