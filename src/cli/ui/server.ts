import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { EnvironmentError, isGitExpError, InvalidInputError } from "../../core/errors.js";
import { CLIENT_JS } from "./client.js";
import { PAGE_HTML } from "./page.js";

/** What the dashboard asks of the experiments; every answer is one page of data, JSON-safe. */
export interface DashboardData {
  runs(q: { where: string; sort: string; desc: boolean; offset: number; limit: number; columns: string[] }): Promise<{ total: number; columns: string[]; rows: Record<string, unknown>[] }>;
  keys(): Promise<{ params: string[]; metrics: string[] }>;
  series(ids: string[], metric?: string): Promise<{ metric: string | null; metrics: string[]; series: { id: string; label: string; points: [number, number | null][] }[] }>;
  compare(ids: string[]): Promise<{ columns: string[]; rows: Record<string, unknown>[] }>;
  diff(a: string, b: string): Promise<string>;
  top(metric: string, order: "max" | "min", by: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }>;
  trend(metric: string, along: string, order: "max" | "min"): Promise<{ metric: string; along: string; columns: string[]; rows: Record<string, unknown>[] }>;
  live(): Promise<{ runs: unknown[] }>;
  /** Changes whenever experiments or annotations change: the dashboard reloads then. */
  fingerprint(): Promise<string>;
}

const require = createRequire(import.meta.url);

function staticFile(name: string): string {
  return readFileSync(require.resolve(`uplot/dist/${name}`), "utf8");
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "number" && !Number.isFinite(v)) return String(v);
    return v;
  });
  send(res, status, "application/json; charset=utf-8", body);
}

/** Route one request; errors a user can fix come back as {error: {message, column}}. */
async function route(data: DashboardData, url: URL): Promise<unknown> {
  const q = url.searchParams;
  const list = (name: string): string[] => (q.get(name) ?? "").split(",").filter(Boolean);
  const order = (): "max" | "min" => (q.get("order") === "min" ? "min" : "max");
  const int = (name: string, dflt: number, max: number): number => Math.min(max, Math.max(0, Number.parseInt(q.get(name) ?? "", 10) || dflt));
  switch (url.pathname) {
    case "/api/runs":
      return data.runs({ where: q.get("where") ?? "", sort: q.get("sort") ?? "created_at", desc: q.get("desc") !== "0", offset: int("offset", 0, 1e9), limit: int("limit", 50, 500) || 50, columns: list("columns") });
    case "/api/keys":
      return data.keys();
    case "/api/series":
      return data.series(list("ids").slice(0, 50), q.get("metric") ?? undefined);
    case "/api/compare":
      return data.compare(list("ids").slice(0, 50));
    case "/api/diff":
      return { text: await data.diff(q.get("a") ?? "", q.get("b") ?? "") };
    case "/api/top":
      return data.top(q.get("metric") ?? "", order(), q.get("by") ?? "");
    case "/api/trend":
      return data.trend(q.get("metric") ?? "", q.get("along") ?? "main", order());
    case "/api/live":
      return data.live();
    default:
      return undefined;
  }
}

function handler(data: DashboardData, onError: (e: unknown) => void) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "read-only dashboard\n");
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/") return send(res, 200, "text/html; charset=utf-8", PAGE_HTML);
    if (url.pathname === "/static/app.js") return send(res, 200, "text/javascript; charset=utf-8", CLIENT_JS);
    if (url.pathname === "/static/uplot.js") return send(res, 200, "text/javascript; charset=utf-8", staticFile("uPlot.iife.min.js"));
    if (url.pathname === "/static/uplot.css") return send(res, 200, "text/css; charset=utf-8", staticFile("uPlot.min.css"));
    if (url.pathname === "/api/events") return events(data, req, res);
    route(data, url).then(
      (value) => (value === undefined ? send(res, 404, "text/plain", "not found\n") : sendJson(res, 200, value)),
      (e: unknown) => {
        if (isGitExpError(e)) {
          const column = e instanceof InvalidInputError ? e.where?.column : undefined;
          return sendJson(res, 200, { error: { message: e.message, column, code: e.code } });
        }
        onError(e);
        sendJson(res, 500, { error: { message: "internal error; see the terminal running git exp ui" } });
      },
    );
  };
}

/** Server-sent events: "changed" when experiments change, "live" while runs are in progress. */
function events(data: DashboardData, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
  let last: string | undefined;
  let busy = false;
  const tick = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      const [fp, live] = await Promise.all([data.fingerprint(), data.live()]);
      const changed = last !== undefined && fp !== last;
      last = fp;
      if (changed || live.runs.length > 0) res.write(`data: ${JSON.stringify({ changed, live: live.runs.length > 0 })}\n\n`);
    } catch {
      // a transient failure (index being rebuilt): try again on the next tick
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), 1500);
  req.on("close", () => clearInterval(timer));
}

export interface Listening {
  server: Server;
  url: string;
  port: number;
}

/** Listen on host:port, or the next free port when it is taken (said by the caller). */
export async function startDashboard(data: DashboardData, options: { host: string; port: number; tries?: number; onError: (e: unknown) => void }): Promise<Listening> {
  const tries = options.tries ?? 20;
  for (let i = 0; i < tries; i++) {
    const port = options.port === 0 ? 0 : options.port + i;
    const server = createServer(handler(data, options.onError));
    const ok = await new Promise<boolean>((resolve, reject) => {
      server.once("error", (e: NodeJS.ErrnoException) => (e.code === "EADDRINUSE" ? resolve(false) : reject(new EnvironmentError(`cannot listen on ${options.host}:${port}: ${e.message}`))));
      server.listen(port, options.host, () => resolve(true));
    });
    if (!ok) continue;
    const addr = server.address();
    const bound = typeof addr === "object" && addr ? addr.port : port;
    const host = options.host.includes(":") ? `[${options.host}]` : options.host;
    return { server, url: `http://${host}:${bound}/`, port: bound };
  }
  throw new EnvironmentError(`ports ${options.port} to ${options.port + tries - 1} are all in use: give a free one with --port`);
}
