import { artifacts } from "../../api/artifacts.js";
import { renderJson, renderTable } from "../../report/format.js";
import { defineCommand } from "../context.js";
import { withJson } from "../options.js";
import { shortId } from "../../core/ids.js";

export const artifactsCommand = defineCommand({
  command: "artifacts <experiment>",
  describe: "list the files an experiment keeps (artifacts/ and media/) with size and sha256",
  builder: (y) =>
    withJson(y)
      .positional("experiment", { type: "string", describe: "id prefix (4+ hex), name or ref" })
      .example("git exp artifacts baseline", "what the run named baseline kept")
      .example("git exp get baseline model.pt -o model.pt", "then write one back"),
  run: async (args, ctx) => {
    const l = await artifacts(ctx.ws, { experiment: String(args.experiment) });
    if (args.json) {
      ctx.io.stdout(renderJson({ id: l.id, files: l.files, checksum_only: l.checksumOnly }));
      return 0;
    }
    if (l.files.length === 0 && l.checksumOnly.length === 0) {
      ctx.io.stderr(`experiment ${shortId(l.id)} keeps no artifacts or media (git exp run --store-output PATH keeps an output)\n`);
      return 0;
    }
    const rows = [
      ...l.files.map((f) => ({ path: f.path, kind: f.kind, size: f.size, sha256: f.sha256 })),
      ...l.checksumOnly.map((o) => ({ path: o.path, kind: "checksum only", size: o.size, sha256: o.sha256 })),
    ];
    ctx.io.stdout(renderTable(["path", "kind", "size", "sha256"], rows, ctx.io.columns));
    return 0;
  },
});
