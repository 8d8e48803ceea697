// Build step: compile every schema to standalone validation code (ajv's standalone mode),
// so a command that validates does not load and run the ajv compiler (~100 ms) at run time.
import { readFileSync, writeFileSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "dist", "schemas", "validators.cjs");
const ajv = new Ajv({ allErrors: false, strict: false, code: { source: true } });
const names = {};
for (const file of readdirSync(here).filter((f) => f.endsWith(".schema.json")).sort()) {
  const schema = JSON.parse(readFileSync(join(here, file), "utf8"));
  ajv.addSchema(schema);
  names[file.replace(".schema.json", "")] = schema.$id;
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, standaloneCode.default(ajv, names));
