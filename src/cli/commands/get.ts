import { access, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import { get } from "../../api/get.js";
import { UsageError } from "../../core/errors.js";
import { defineCommand } from "../context.js";
import { checkWritable } from "../output-file.js";
import { optString } from "../options.js";
import { shortId } from "../../core/ids.js";

export const getCommand = defineCommand({
  command: "get <experiment> <path>",
  describe: "write a file an experiment keeps back to disk, its checksum checked",
  builder: (y) =>
    y
      .positional("experiment", { type: "string", describe: "id prefix (4+ hex), name or ref" })
      .positional("path", { type: "string", describe: "as git exp artifacts lists it (artifacts/model.pt, media/samples/3.png) or the output path (model.pt)" })
      .option("output", { alias: "o", type: "string", describe: "where to write it (default: its file name here; - for stdout)" })
      .option("force", { type: "boolean", describe: "overwrite FILE when it exists" })
      .example("git exp get baseline model.pt -o /tmp/model.pt", "the model the run named baseline wrote"),
  run: async (args, ctx) => {
    const given = optString(args.output);
    const path = String(args.path);
    const target = given === "-" ? undefined : ctx.path(given ?? basename(path));
    if (target) {
      await checkWritable(target);
      const exists = await access(target).then(() => true, () => false);
      if (exists && !args.force) throw new UsageError(`${target} exists: give another -o FILE, or --force to overwrite it`);
    }
    const { id, file, data } = await get(ctx.ws, { experiment: String(args.experiment), path });
    if (!target) {
      if (ctx.io.writeBytes) ctx.io.writeBytes("stdout", data);
      else ctx.io.stdout(Buffer.from(data).toString("utf8"));
      return 0;
    }
    await writeFile(target, data);
    const checked = file.recorded !== null ? "matches the recorded checksum" : "no checksum recorded; git's object id vouches for it";
    ctx.io.stderr(`wrote ${target} (${file.path} of experiment ${shortId(id)}, ${file.size} bytes, sha256 ${file.sha256}: ${checked})\n`);
    return 0;
  },
});
