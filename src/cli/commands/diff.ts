import { diff } from "../../api/diff.js";
import { renderDiff } from "../../report/diff.js";
import { renderJson } from "../../report/format.js";
import { defineCommand } from "../context.js";
import { useColor } from "../io.js";
import { tolerance, withJson, withTolerance } from "../options.js";

export const diffCommand = defineCommand({
  command: "diff <a> <b>",
  describe: "what changed between two experiments: config, inputs, code, environment, results",
  builder: (y) =>
    withTolerance(withJson(y))
      .positional("a", { type: "string", describe: "id prefix (4+ hex), name or ref" })
      .positional("b", { type: "string", describe: "id prefix (4+ hex), name or ref" })
      .option("exit-code", { type: "boolean", describe: "exit 1 when anything but metadata differs" })
      .example("git exp diff iris-1 iris-2", "config, inputs, code, environment, results")
      .example("git exp diff iris-1 iris-2 --exit-code --json", "exit 1 when anything but metadata differs"),
  run: async (args, ctx) => {
    const d = await diff(ctx.ws, { a: String(args.a), b: String(args.b), ...tolerance(args) });
    ctx.io.stdout(args.json ? renderJson(d) : renderDiff(d, { color: useColor(ctx.io), width: ctx.io.columns }));
    return args["exit-code"] && d.differs ? 1 : 0;
  },
});
