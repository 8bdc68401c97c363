/**
 * The console's server: the built single-page app from console/dist/, and `/api/<service>/…` passed on to
 * that service as it is (method, headers, body, answer), so the browser talks to one origin and needs no
 * CORS. The key or admin token the operator gives travels in the browser's own `Authorization` header;
 * this server keeps none. Any other path answers index.html: every page has its own URL.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";

export interface ConsoleOptions {
  /** Each service's base URL by its registry name (db/src/services.ts). */
  services: Readonly<Record<string, string>>;
  /** The built app (console/build.ts). */
  dist: string;
  port?: number;
  host?: string;
}

export interface RunningConsole {
  url: string;
  port: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
};

// Hop-by-hop headers (RFC 9110 §7.6.1) are the connection's own, not the message's.
const HOP = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te", "trailer"]);

function fail(res: ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { code, message, details: [] } }));
}

function proxy(req: IncomingMessage, res: ServerResponse, base: string, rest: string, service: string) {
  const target = new URL(rest, base);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k) && k !== "host") headers[k] = v;
  const out = request(target, { method: req.method, headers }, (answer) => {
    const back: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !HOP.has(k)) back[k] = v;
    res.writeHead(answer.statusCode ?? 502, back);
    answer.pipe(res);
  });
  out.setTimeout(30_000, () => out.destroy(new Error("no answer within 30 s")));
  out.on("error", (err) => {
    if (res.headersSent) return void res.destroy();
    // The console shows this like any API error: the service is down, not the console.
    fail(
      res,
      502,
      "SERVICE_UNREACHABLE",
      `${service} did not answer (${(err as NodeJS.ErrnoException).code ?? err.message})`,
    );
  });
  req.pipe(out);
}

function serveFile(res: ServerResponse, dist: string, path: string) {
  const wanted = normalize(join(dist, decodeURIComponent(path)));
  const inside = wanted.startsWith(dist + sep);
  const file = inside && existsSync(wanted) && statSync(wanted).isFile() ? wanted : join(dist, "index.html");
  if (!existsSync(file)) return fail(res, 503, "NOT_BUILT", "the console is not built: run pnpm console:build");
  // Vite names assets by their content: they may be kept for ever; index.html must be asked for each time.
  const cache = file.includes(`${sep}assets${sep}`) ? "public, max-age=31536000, immutable" : "no-cache";
  res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": cache });
  createReadStream(file).pipe(res);
}

export async function startConsole(opts: ConsoleOptions): Promise<RunningConsole> {
  const dist = normalize(opts.dist);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://console");
    const m = /^\/api\/([a-z][a-z0-9-]*)(\/.*)?$/.exec(url.pathname);
    if (m) {
      const base = opts.services[m[1]!];
      if (!base) return fail(res, 404, "NOT_FOUND", `no service ${m[1]}`);
      return proxy(req, res, base, `${m[2] ?? "/"}${url.search}`, m[1]!);
    }
    if (req.method !== "GET" && req.method !== "HEAD")
      return fail(res, 405, "METHOD_NOT_ALLOWED", "the console is read with GET");
    serveFile(res, dist, url.pathname);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? "127.0.0.1"}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
