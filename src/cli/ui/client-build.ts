/**
 * The dashboard's browser code (src/cli/ui/client/*.ts) as the one script the page loads.
 * `npm run build` (scripts/bundle-client.mjs) writes it beside the server's compiled module and beside the one-file CLI,
 * where the server reads it; run from the TypeScript sources (the tests), the server
 * bundles it in memory instead, so it is never stale there.
 */
export const CLIENT_FILE = "dashboard-app.js";

export async function bundleClient(entry: string): Promise<string> {
  // esbuild is a build tool, not a dependency: only a checkout with its sources gets here.
  const { build } = await import("esbuild");
  const out = await build({ entryPoints: [entry], bundle: true, format: "iife", platform: "browser", target: "es2020", write: false, logLevel: "silent" });
  return out.outputFiles[0]!.text;
}
