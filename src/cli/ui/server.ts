import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { Bands, IndexKeys, LiveRunView, MatrixOptions, RunDetails, RunMatrix, RunSeries, RunsPage, RunsQuery } from "../../api/dashboard.js";
import type { Direction } from "../../core/choices.js";
import { EnvironmentError, ExitCode, GitExpError, InvalidInputError, isGitExpError } from "../../core/errors.js";
import type { Cell } from "../../report/format.js";
import { CLIENT_FILE, bundleClient } from "./client-build.js";
import { PAGE_HTML } from "./page.js";

export interface TableView {
  columns: string[];
  rows: Record<string, Cell>[];
  note?: string;
}

export interface TrendView extends TableView {
  metric: string;
  along: string | null;
  direction: Direction;
  points: { label: string; best: number; mean: number }[];
}

export interface LiveView {
  runs: LiveRunView[];
}

/** What the dashboard asks of the experiments; every answer is one page of data, JSON-safe. */
export interface DashboardData {
  runs(q: RunsQuery): Promise<RunsPage>;
  keys(): Promise<IndexKeys>;
  series(ids: string[], metric?: string): Promise<RunSeries>;
  compare(ids: string[]): Promise<TableView>;
  diff(a: string, b: string): Promise<string>;
  top(metric: string, order: Direction | undefined, by: string): Promise<TableView>;
  /** Along a branch's first-parent history, or per day when `along` is empty. */
  trend(metric: string, along: string, order: Direction | undefined): Promise<TrendView>;
  live(): Promise<LiveView>;
  /** Selected runs' curves of a metric, one mean curve and band per group of repeats. */
  bands(ids: string[], metric: string, band: "std" | "minmax"): Promise<Bands>;
  /** One run's page: params, metrics, system metrics over time, its media by key. */
  run(id: string): Promise<RunDetails>;
  /** A column of values per key for every run the filter keeps: parallel coordinates, scatter. */
  matrix(where: string, keys: string[], options?: MatrixOptions): Promise<RunMatrix>;
  /** One media file of a run, with its content type; a NotFoundError when there is none. */
  media(id: string, path: string): Promise<{ type: string; data: Uint8Array }>;
  /** Changes when a live run starts, ends or writes metrics. */
  liveSignature(): Promise<string>;
  /** Changes whenever experiments or annotations change: the dashboard reloads then. */
  fingerprint(): Promise<string>;
}

const require = createRequire(import.meta.url);
const staticCache = new Map<string, string>();

function staticFile(name: string): string {
  let text = staticCache.get(name);
  if (text === undefined) staticCache.set(name, (text = readFileSync(require.resolve(`uplot/dist/${name}`), "utf8")));
  return text;
}

let script: Promise<string> | undefined;

function clientScript(): Promise<string> {
  // once a process: every dashboard a test starts serves the same script
  script ??= readClientScript();
  return script;
}

/**
 * The page's script: bundled by the build beside this module (tsc's output, or the one-file
 * CLI); from the TypeScript sources, bundled now from them.
 */
async function readClientScript(): Promise<string> {
  const built = new URL(`./${CLIENT_FILE}`, import.meta.url);
  if (existsSync(built)) return readFileSync(built, "utf8");
  const source = new URL("./client/main.ts", import.meta.url);
  if (existsSync(source)) return bundleClient(fileURLToPath(source));
  throw new EnvironmentError(`the dashboard's script ${fileURLToPath(built)} is missing: build git-exp again (npm run build)`);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, {
    "content-type": type,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:",
  });
  res.end(body);
}

/** JSON with NaN and infinities as the strings the storage format uses, bigints as text. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (typeof v === "number" && !Number.isFinite(v)) return String(v);
    return v;
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, "application/json; charset=utf-8", toJson(value));
}

/** Route one request; errors a user can fix come back as {error: {message, column, code}}. */
async function route(data: DashboardData, url: URL): Promise<unknown> {
  const q = url.searchParams;
  const list = (name: string): string[] => (q.get(name) ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const order = (): Direction | undefined => (q.get("order") === "min" ? "min" : q.get("order") === "max" ? "max" : undefined);
  // Strict: "2abc" is no number (parseInt would say 2); the page check refuses what is not whole.
  const int = (name: string, dflt: number): number => {
    const raw = q.get(name);
    return raw === null || raw.trim() === "" ? dflt : Number(raw);
  };
  switch (url.pathname) {
    case "/api/runs":
      // As with ls: newest first by default, a named sort key ascending unless desc=1.
      return data.runs({ where: q.get("where") ?? "", sort: q.get("sort") ?? "created_at", desc: q.has("desc") ? q.get("desc") !== "0" : !q.has("sort"), offset: int("offset", 0), limit: int("limit", 50), columns: list("columns") });
    case "/api/keys":
      return data.keys();
    case "/api/series":
      return data.series(list("ids").slice(0, 50), q.get("metric") || undefined);
    case "/api/compare":
      return data.compare(list("ids").slice(0, 20));
    case "/api/diff":
      return { text: await data.diff(q.get("a") ?? "", q.get("b") ?? "") };
    case "/api/top":
      return data.top(q.get("metric") ?? "", order(), q.get("by") ?? "");
    case "/api/trend":
      return data.trend(q.get("metric") ?? "", q.get("along") ?? "", order());
    case "/api/live":
      return data.live();
    case "/api/bands":
      return data.bands(list("ids").slice(0, 50), q.get("metric") ?? "", q.get("band") === "minmax" ? "minmax" : "std");
    case "/api/run":
      return data.run(q.get("id") ?? "");
    case "/api/matrix":
      return data.matrix(q.get("where") ?? "", list("keys"), { ids: q.get("ids") !== "0" });
    default:
      return undefined;
  }
}

export interface HandlerOptions {
  /** The page's script, served as /static/app.js. */
  app: string;
  /** Host header values accepted; others are refused (DNS rebinding). Empty: any. */
  allowedHosts: string[];
  onError: (e: unknown) => void;
}

function hostAllowed(req: IncomingMessage, allowed: string[]): boolean {
  if (allowed.length === 0) return true;
  const host = (req.headers.host ?? "").toLowerCase().replace(/:\d+$/, "");
  return allowed.includes(host);
}

function handler(data: DashboardData, options: HandlerOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "read-only dashboard\n");
    if (!hostAllowed(req, options.allowedHosts)) return send(res, 403, "text/plain", "unknown host: open the address git exp ui printed\n");
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === "/") return send(res, 200, "text/html; charset=utf-8", PAGE_HTML);
    if (url.pathname === "/static/app.js") return send(res, 200, "text/javascript; charset=utf-8", options.app);
    if (url.pathname === "/static/uplot.js") return send(res, 200, "text/javascript; charset=utf-8", staticFile("uPlot.iife.min.js"));
    if (url.pathname === "/static/uplot.css") return send(res, 200, "text/css; charset=utf-8", staticFile("uPlot.min.css"));
    if (url.pathname === "/api/events") return events(data, req, res);
    if (url.pathname === "/api/media") return media(data, url, res, options);
    route(data, url).then(
      (value) => (value === undefined ? sendJson(res, 404, { error: { message: `no such page: ${url.pathname}`, code: "ENOTFOUND" } }) : sendJson(res, 200, value)),
      (e: unknown) => {
        if (isGitExpError(e)) {
          const column = filterColumn(e);
          return sendJson(res, httpStatus(e), { error: { message: e.message, column, code: e.code } });
        }
        options.onError(e);
        sendJson(res, 500, { error: { message: "internal error; see the terminal running git exp ui" } });
      },
    );
  };
}

/**
 * A logged image, as stored. An SVG could hold a script: the response may run nothing and
 * load nothing, even opened on its own.
 */
function media(data: DashboardData, url: URL, res: ServerResponse, options: HandlerOptions): void {
  data.media(url.searchParams.get("id") ?? "", url.searchParams.get("path") ?? "").then(
    (m) => {
      res.writeHead(200, {
        "content-type": m.type,
        "cache-control": "private, max-age=3600",
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      });
      res.end(m.data);
    },
    (e: unknown) => {
      if (isGitExpError(e)) return sendJson(res, httpStatus(e), { error: { message: e.message, code: e.code } });
      options.onError(e);
      sendJson(res, 500, { error: { message: "internal error; see the terminal running git exp ui" } });
    },
  );
}

/** A user's mistake as HTTP says it: bad request, nothing there, or the index busy. */
function httpStatus(e: GitExpError): number {
  if (e.exitCode === ExitCode.notFound) return 404;
  if (e.exitCode === ExitCode.environment) return 503;
  return 400;
}

/** Where in the filter text an error points, when it does. */
function filterColumn(e: GitExpError): number | undefined {
  if (e instanceof InvalidInputError) return e.where?.column;
  const column = (e as GitExpError & { column?: unknown }).column;
  return typeof column === "number" ? column : undefined;
}

/**
 * Server-sent events: `changed` when experiments or annotations change, `live` when a run
 * starts, ends or writes metrics. Checked every `everyMs`; a comment keeps proxies from
 * closing an idle stream.
 */
function events(data: DashboardData, req: IncomingMessage, res: ServerResponse, everyMs = 1000): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
  // HEAD asks for the headers only: a stream that never ends would hang it.
  if (req.method === "HEAD") return void res.end();
  res.write("retry: 2000\n\n");
  let last: { fp: string; live: string } | undefined;
  let busy = false;
  let quiet = 0;
  const tick = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      const [fp, live] = await Promise.all([data.fingerprint(), data.liveSignature()]);
      const msg = { changed: last !== undefined && fp !== last.fp, live: last !== undefined && live !== last.live };
      last = { fp, live };
      if (msg.changed || msg.live) res.write(`data: ${JSON.stringify(msg)}\n\n`);
      else if (++quiet % 15 === 0) res.write(": idle\n\n");
    } catch {
      // a transient failure (a record being replaced): try again on the next tick
    } finally {
      busy = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), everyMs);
  res.on("close", () => clearInterval(timer));
}

export interface Listening {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface StartOptions {
  host: string;
  port: number;
  /** Ports to try after `port` when it is taken. */
  tries?: number;
  onError: (e: unknown) => void;
}

const LOOPBACK = ["127.0.0.1", "localhost", "::1", "[::1]"];

export function isLoopback(host: string): boolean {
  return LOOPBACK.includes(host.toLowerCase()) || /^127\./.test(host);
}

/** Listen on host:port, or the next free port when it is taken (the caller says so). */
export async function startDashboard(data: DashboardData, options: StartOptions): Promise<Listening> {
  const tries = options.port === 0 ? 1 : (options.tries ?? 20);
  const app = await clientScript();
  const allowedHosts = isLoopback(options.host) ? ["127.0.0.1", "localhost", "[::1]", options.host.toLowerCase()] : [];
  for (let i = 0; i < tries && options.port + i <= 65535; i++) {
    const port = options.port === 0 ? 0 : options.port + i;
    const server = createServer(handler(data, { app, allowedHosts, onError: options.onError }));
    const ok = await new Promise<boolean>((resolve, reject) => {
      server.once("error", (e: NodeJS.ErrnoException) =>
        e.code === "EADDRINUSE"
          ? resolve(false)
          : reject(new EnvironmentError(`cannot listen on ${options.host}:${port}: ${e.message}; give --host an address of this machine (127.0.0.1, or 0.0.0.0 for every interface)`, { cause: e })),
      );
      server.listen(port, options.host, () => resolve(true));
    });
    if (!ok) continue;
    const addr = server.address();
    const bound = typeof addr === "object" && addr ? addr.port : port;
    const host = options.host.includes(":") ? `[${options.host}]` : options.host;
    const close = (): Promise<void> =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    return { server, url: `http://${host}:${bound}/`, port: bound, close };
  }
  throw new EnvironmentError(`ports ${options.port} to ${Math.min(65535, options.port + tries - 1)} are all in use: give a free one with --port`);
}
