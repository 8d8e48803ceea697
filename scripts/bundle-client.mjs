#!/usr/bin/env node
// The dashboard's browser code, bundled where the server looks for it: beside its compiled
// module (dist/src/cli/ui) and beside the one-file CLI (dist/src/cli-bundle). Run by `npm run bundle`, after tsc.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLIENT_FILE, bundleClient } from "../dist/src/cli/ui/client-build.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const text = await bundleClient(join(root, "src", "cli", "ui", "client", "main.ts"));
for (const dir of [join(root, "dist", "src", "cli", "ui"), join(root, "dist", "src", "cli-bundle")]) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, CLIENT_FILE), text);
}
