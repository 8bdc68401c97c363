import { closeSync, openSync, readSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type Koa from "koa";
import { markDraining } from "./health.ts";

export interface CloseOptions {
  /**
   * How long the server keeps serving (and accepting) after the close begins, every answer carrying
   * `Connection: close` and `/ready` answering 503, so clients and balancers move away before anything
   * is refused. 0 (the default) stops accepting at once.
   */
  drainMs?: number;
  /** After the drain: how long requests in flight may take before their sockets are cut. */
  graceMs?: number;
}

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  /**
   * Drains (see CloseOptions), stops accepting, lets in-flight requests finish and closes idle keep-alive
   * sockets without racing a request arriving on them; sockets still open after `graceMs` are cut.
   */
  close(opts?: CloseOptions): Promise<void>;
}

export interface ListenOptions {
  /** How long a client may take to send a whole request (node's `server.requestTimeout`). */
  requestTimeoutMs?: number;
}

/**
 * A socket idle for less than this may be about to carry the client's next request (a client with a
 * queue sends it the moment the last answer ends): it is left alone a little longer. A socket closed by
 * the server just as a request arrives on it is the reset this whole sequence avoids.
 */
const IDLE_MARGIN_MS = 500;
const SWEEP_EVERY_MS = 50;
/** How long the listener's close may wait for a quiet moment and an empty accept queue (see stopAccepting). */
const ACCEPT_QUEUE_WAIT_MS = 1_500;
/** No connection accepted for this long: the clients are waiting on held answers, none is connecting. */
const QUIET_MS = 50;

/** Per socket: is a request on it unanswered, and since when has it been idle. */
interface SocketState {
  busy: number;
  idleSince: number;
  /** What it had read when it went idle: more means a request is arriving, not yet parsed. */
  readAtIdle: number;
}

export async function listen(
  app: Koa,
  port: number,
  host = "127.0.0.1",
  opts: ListenOptions = {},
): Promise<RunningServer> {
  const requestTimeout = opts.requestTimeoutMs ?? 30_000;
  // Node checks the timeout only every connectionsCheckingInterval (30 s by default): check often
  // enough that a short timeout is honoured within a fraction of itself.
  const connectionsCheckingInterval = Math.min(30_000, Math.max(100, Math.floor(requestTimeout / 4)));
  const sockets = new Map<Socket, SocketState>();
  const handler = app.callback();
  const inFlight = new Set<ServerResponse>();
  const phase = { closing: false, refusing: false };
  const refused = refusals();
  const server = createServer({ connectionsCheckingInterval }, (req, res) => {
    track(sockets, req, res);
    inFlight.add(res);
    res.once("close", () => inFlight.delete(res));
    // While stopping, every answer tells the client to close the connection: a client that keeps
    // sending on a keep-alive socket would otherwise hold the server open for ever, and a socket the
    // client closes itself cannot be closed under a request it is sending.
    if (phase.closing) res.setHeader("Connection", "close");
    if (phase.refusing) return refused.refuse(req, res);
    return handler(req, res);
  });
  let lastConnectionAt = 0;
  server.on("connection", (socket: Socket) => {
    lastConnectionAt = Date.now();
    sockets.set(socket, { busy: 0, idleSince: Date.now(), readAtIdle: 0 });
    socket.once("close", () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 65_000;
  // A client that trickles its request is cut off instead of holding a socket forever. Node cuts a
  // request only once both timeouts have passed, so headersTimeout must not exceed requestTimeout
  // (at 66 s against 30 s, a trickling body was held for 66 s).
  server.headersTimeout = Math.min(66_000, requestTimeout);
  server.requestTimeout = requestTimeout;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://${host}:${actual}`,
    close: async (o: CloseOptions = {}) => {
      phase.closing = true;
      markDraining(app);
      // Answers already under way say so too, or their client would send its next request on them.
      for (const res of inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
      if ((o.drainMs ?? 0) > 0) await new Promise((r) => setTimeout(r, o.drainMs));
      phase.refusing = true;
      await stopAccepting(server, actual, () => lastConnectionAt);
      refused.release();
      await closeSockets(server, sockets, o.graceMs ?? 5_000);
    },
  };
}

function track(sockets: Map<Socket, SocketState>, req: IncomingMessage, res: ServerResponse): void {
  const state = sockets.get(req.socket);
  if (!state) return;
  state.busy++;
  res.once("close", () => {
    state.busy--;
    state.idleSince = Date.now();
    state.readAtIdle = req.socket.bytesRead;
  });
}

/**
 * After the drain, a request that still comes (on a connection accepted while the listener closes, or on
 * an idle keep-alive socket) runs nothing and is answered 503 with `Retry-After`: a refusal the client can
 * retry. Until the listener has closed, such answers are held back: a client waiting for its answer opens
 * no new connection, so the accept queue empties and the listener closes on nothing (see stopAccepting).
 * The body is read first: a socket closed with unread data sends a reset, which could beat the 503.
 */
function refusals() {
  const held: Array<() => void> = [];
  let released = false;
  const body = JSON.stringify({ error: { code: "NOT_READY", message: "shutting down", details: [] } });
  return {
    refuse(req: IncomingMessage, res: ServerResponse): void {
      const answer = () => {
        res.writeHead(503, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "retry-after": "1",
          connection: "close",
        });
        res.end(body);
      };
      req.resume();
      req.once("end", () => (released ? answer() : held.push(answer)));
    },
    release(): void {
      released = true;
      for (const answer of held.splice(0)) answer();
    },
  };
}

/**
 * Stops accepting connections, keeping those open. Node's own `server.close()` also closes the idle
 * keep-alive sockets at once, the race above; that part is left out. Closing the listening socket
 * resets every connection the kernel has completed but node not yet accepted (the client has sent its
 * request by then). So the close waits for a quiet moment: no connection accepted for QUIET_MS (clients
 * wait on their held 503s, see refusals) and, on Linux, the listener's accept queue (from /proc) empty.
 */
async function stopAccepting(server: Server, port: number, lastConnectionAt: () => number): Promise<void> {
  const until = Date.now() + ACCEPT_QUEUE_WAIT_MS;
  const busy = () => Date.now() - lastConnectionAt() < QUIET_MS || acceptQueued(port) > 0;
  while (Date.now() < until && busy()) await new Promise((r) => setTimeout(r, 5));
  // http's close also stops node's timeout checks; only its closing of idle sockets is left out.
  const closeIdle = server.closeIdleConnections;
  server.closeIdleConnections = () => {};
  try {
    server.close();
  } finally {
    server.closeIdleConnections = closeIdle;
  }
}

/**
 * Connections waiting in the accept queue of the listener on `port` (0 when it cannot be told). The kernel
 * lists listeners first, so the read stops at the first line that is not one: the answer is as fresh as
 * a read of a few kilobytes, where the whole file (every TIME_WAIT socket of the machine) takes long.
 */
export function acceptQueued(port: number): number {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  let queued = 0;
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const f of listenerLines(file)) {
      // local address, remote, state, tx_queue:rx_queue (a listener's rx_queue is its accept queue)
      if (f[1]?.endsWith(hexPort)) queued += Number.parseInt(f[4]?.split(":")[1] ?? "0", 16) || 0;
    }
  }
  return queued;
}

/** The fields of each LISTEN line at the head of a /proc/net/tcp file; none when it cannot be read. */
function listenerLines(file: string): string[][] {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return [];
  }
  const out: string[][] = [];
  try {
    const chunk = Buffer.alloc(16_384);
    let text = "";
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      text += chunk.toString("latin1", 0, n);
      const lines = text.split("\n");
      text = n === 0 ? "" : (lines.pop() ?? "");
      for (const line of lines) {
        const f = line.trim().split(/\s+/);
        if (f[0] === "sl") continue;
        if (f[3] !== "0A") return out;
        out.push(f);
      }
      if (n === 0) return out;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Waits for every socket to close: a busy one after its answer (which carries `Connection: close`), an
 * idle one closed here once it has been idle for the margin. Whatever is still open after `graceMs` is cut.
 */
function closeSockets(server: Server, sockets: Map<Socket, SocketState>, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  return new Promise((resolve) => {
    const sweep = () => {
      const now = Date.now();
      for (const [socket, state] of sockets) {
        if (now >= deadline || idleFor(socket, state, now) >= IDLE_MARGIN_MS) socket.destroy();
      }
      if (sockets.size === 0) {
        server.closeAllConnections();
        resolve();
        return;
      }
      setTimeout(sweep, SWEEP_EVERY_MS);
    };
    sweep();
  });
}

/** How long a socket has been idle: 0 while a request on it is unanswered or its bytes are arriving. */
function idleFor(socket: Socket, state: SocketState, now: number): number {
  if (state.busy > 0 || socket.bytesRead !== state.readAtIdle) return 0;
  return now - state.idleSince;
}
