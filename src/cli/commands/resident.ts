import { DEFAULT_IDLE_S } from "../resident-client.js";
import { defineCommand } from "../context.js";

/** The resident index process a query command starts (resident-client.ts). Not for users. */
export const residentCommand = defineCommand({
  command: "resident <socket>",
  describe: false,
  builder: (y) => y.positional("socket", { type: "string", describe: "the socket to listen on" }),
  run: async (args, ctx) => {
    const idle = Number(ctx.io.env["GIT_EXP_RESIDENT_IDLE"]);
    const [{ serveResident }, { main }] = await Promise.all([import("../resident-server.js"), import("../main.js")]);
    // Listens until idle; this command returns at once and the socket keeps the process alive.
    await serveResident(String(args.socket), (Number.isFinite(idle) && idle > 0 ? idle : DEFAULT_IDLE_S) * 1000, main);
    return 0;
  },
});
