import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

/**
 * What the proxy does with one request. Every failure a network can inflict on a request/response
 * exchange, each at the point that matters for at-least-once delivery:
 * - `pass`: forward and return the peer's answer unchanged;
 * - `dropRequest`: cut the connection before the peer sees anything;
 * - `dropAnswer`: forward, wait for the peer's whole answer (it has committed), then cut the connection;
 * - `delay`: wait, then do `next` (default `pass`): the peer sees the request late;
 * - `delayAnswer`: forward, hold the peer's answer, then return it;
 * - `status`: answer with this status (500 by default) without the peer, or after it when `afterPeer`;
 * - `garbage`: answer 200 with a body that is not what the client expects, before or after the peer;
 * - `cutBody`: forward, send the answer's head and part of its body, then cut the connection.
 */
export type FaultAction =
  | { kind: "pass" }
  | { kind: "dropRequest" }
  | { kind: "dropAnswer" }
  | { kind: "delay"; ms: number; next?: FaultAction }
  | { kind: "delayAnswer"; ms: number }
  | { kind: "status"; status?: number; body?: string; afterPeer?: boolean }
  | { kind: "garbage"; body?: string; afterPeer?: boolean }
  | { kind: "cutBody"; keepBytes?: number };

export type FaultKind = FaultAction["kind"];

/** The request as the proxy received it, for policies that decide by content. */
export interface ProxiedRequest {
  seq: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type FaultPolicy = FaultAction | ((req: ProxiedRequest) => FaultAction);

/** Random faults, each drawn independently per request from a seeded generator (reproducible runs). */
export interface ChaosOptions {
  dropRequest?: number;
  dropAnswer?: number;
  /** Probability and range of an extra delay before forwarding. */
  delay?: { p: number; minMs: number; maxMs: number };
  seed?: number;
}

export interface ProxyCounters {
  requests: number;
  /** Requests the peer received (whatever happened to the answer). */
  forwarded: number;
  /** Answers returned to the client unchanged. */
  passed: number;
  droppedRequests: number;
  droppedAnswers: number;
  delayed: number;
  synthetic: number;
  cut: number;
  /** The peer could not be reached or failed mid-answer; the client got a 502. */
  upstreamErrors: number;
  /** Requests received and not yet finished, in whatever way. */
  inFlight: number;
}

export interface ProxyEvent {
  seq: number;
  at: number;
  method: string;
  path: string;
  action: FaultKind;
  body: string;
}

export interface FaultProxy {
  url: string;
  port: number;
  /** The policy for every request from now on (unless `once` queued something). */
  set(policy: FaultPolicy): void;
  /** Actions for the next requests, one each, before the policy applies again. */
  once(...actions: FaultAction[]): void;
  /** A probabilistic policy; `chaos({})` is the same as `set({ kind: "pass" })`. */
  chaos(options: ChaosOptions): void;
  counters(): ProxyCounters;
  /** The latest requests (up to `historyLimit`), oldest first. */
  history(): readonly ProxyEvent[];
  reset(): void;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  /**
   * Where requests go, e.g. the peer's base URL; the request path is kept. Several targets (instances of
   * one service) take the requests in turn.
   */
  target: string | readonly string[];
  policy?: FaultPolicy;
  historyLimit?: number;
  clock?: () => number;
}

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "upgrade"]);

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const targets = (typeof opts.target === "string" ? [opts.target] : opts.target).map((t) => new URL(t));
  if (targets.length === 0) throw new Error("fault proxy: no target");
  let turn = 0;
  const clock = opts.clock ?? Date.now;
  const historyLimit = opts.historyLimit ?? 10_000;
  const agent = new Agent({ keepAlive: true });
  let policy: FaultPolicy = opts.policy ?? { kind: "pass" };
  let queued: FaultAction[] = [];
  let events: ProxyEvent[] = [];
  let seq = 0;
  const zero = (): ProxyCounters => ({
    requests: 0,
    forwarded: 0,
    passed: 0,
    droppedRequests: 0,
    droppedAnswers: 0,
    delayed: 0,
    synthetic: 0,
    cut: 0,
    upstreamErrors: 0,
    inFlight: 0,
  });
  let counts = zero();

  function forward(req: ProxiedRequest): Promise<Upstream> {
    counts.forwarded++;
    const target = targets[turn++ % targets.length]!;
    return new Promise((resolve, reject) => {
      const up = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.path,
          headers: { ...req.headers, host: target.host, "content-length": String(req.body.length) },
          agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on("error", reject);
        },
      );
      up.on("error", reject);
      up.end(req.body);
    });
  }

  function reply(res: ServerResponse, up: Upstream): void {
    if (res.destroyed) return;
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
    res.writeHead(up.status, { ...headers, "content-length": String(up.body.length) });
    res.end(up.body);
  }

  function synthetic(res: ServerResponse, status: number, body: string, type: string): void {
    counts.synthetic++;
    if (res.destroyed) return;
    res.writeHead(status, { "content-type": type, "content-length": String(Buffer.byteLength(body)) });
    res.end(body);
  }

  async function act(action: FaultAction, req: ProxiedRequest, res: ServerResponse): Promise<void> {
    switch (action.kind) {
      case "pass":
        reply(res, await forward(req));
        counts.passed++;
        return;
      case "dropRequest":
        counts.droppedRequests++;
        res.socket?.destroy();
        return;
      case "dropAnswer":
        await forward(req);
        counts.droppedAnswers++;
        res.socket?.destroy();
        return;
      case "delay":
        counts.delayed++;
        await sleep(action.ms);
        return act(action.next ?? { kind: "pass" }, req, res);
      case "delayAnswer": {
        const up = await forward(req);
        counts.delayed++;
        await sleep(action.ms);
        reply(res, up);
        counts.passed++;
        return;
      }
      case "status":
        if (action.afterPeer) await forward(req);
        synthetic(res, action.status ?? 500, action.body ?? '{"error":"injected"}', "application/json");
        return;
      case "garbage":
        if (action.afterPeer) await forward(req);
        synthetic(res, 200, action.body ?? "<html>not what you asked for</html>", "text/plain");
        return;
      case "cutBody": {
        const up = await forward(req);
        counts.cut++;
        if (res.destroyed) return;
        const keep = Math.min(action.keepBytes ?? Math.floor(up.body.length / 2), Math.max(0, up.body.length - 1));
        res.writeHead(up.status, { "content-type": "application/json", "content-length": String(up.body.length) });
        res.write(up.body.subarray(0, keep), () => res.socket?.destroy());
        return;
      }
    }
  }

  function decide(req: ProxiedRequest): FaultAction {
    const next = queued.shift();
    if (next) return next;
    return typeof policy === "function" ? policy(req) : policy;
  }

  async function handle(inc: IncomingMessage, res: ServerResponse): Promise<void> {
    counts.requests++;
    counts.inFlight++;
    try {
      const chunks: Buffer[] = [];
      for await (const c of inc) chunks.push(c as Buffer);
      const req: ProxiedRequest = {
        seq: ++seq,
        method: inc.method ?? "GET",
        path: inc.url ?? "/",
        headers: inc.headers,
        body: Buffer.concat(chunks),
      };
      const action = decide(req);
      events.push({
        seq: req.seq,
        at: clock(),
        method: req.method,
        path: req.path,
        action: action.kind,
        body: req.body.toString("utf8"),
      });
      if (events.length > historyLimit) events = events.slice(-historyLimit);
      await act(action, req, res);
    } catch {
      counts.upstreamErrors++;
      if (!res.destroyed && !res.headersSent) {
        res.writeHead(502, { "content-type": "application/json" });
        res.end('{"error":"proxy: upstream failed"}');
      } else res.socket?.destroy();
    } finally {
      counts.inFlight--;
    }
  }

  const server = createServer((inc, res) => void handle(inc, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    set(p) {
      policy = p;
    },
    once(...actions) {
      queued.push(...actions);
    },
    chaos(o) {
      const rnd = mulberry32(o.seed ?? 1);
      policy = () => {
        const base: FaultAction =
          rnd() < (o.dropRequest ?? 0)
            ? { kind: "dropRequest" }
            : rnd() < (o.dropAnswer ?? 0)
              ? { kind: "dropAnswer" }
              : { kind: "pass" };
        if (o.delay && rnd() < o.delay.p) {
          return { kind: "delay", ms: o.delay.minMs + rnd() * (o.delay.maxMs - o.delay.minMs), next: base };
        }
        return base;
      };
    },
    counters: () => ({ ...counts }),
    history: () => events,
    reset() {
      counts = { ...zero(), inFlight: counts.inFlight };
      events = [];
      queued = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A small seeded PRNG: the same seed gives the same faults, so a failing chaos run can be replayed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
