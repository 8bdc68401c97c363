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
/** What a refusal's `Retry-After` asks of the client: stay away this long (seconds). */
const RETRY_AFTER_S = 1;
/**
 * After the drain, the listener closes once no connection has come for QUIET_MS: by then each client
 * still at work has had its refusal and, honouring `Retry-After`, stays away (see stopAccepting). It
 * closes after REFUSE_MAX_MS in any case, well within the `Retry-After` of the first refusals.
 */
const QUIET_MS = 150;
const REFUSE_MAX_MS = 600;

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
  const server = createServer({ connectionsCheckingInterval }, (req, res) => {
    track(sockets, req, res);
    inFlight.add(res);
    res.once("close", () => inFlight.delete(res));
    // While stopping, every answer tells the client to close the connection: a client that keeps
    // sending on a keep-alive socket would otherwise hold the server open for ever, and a socket the
    // client closes itself cannot be closed under a request it is sending.
    if (phase.closing) res.setHeader("Connection", "close");
    if (phase.refusing) return refuse(req, res);
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
      // Without a drain (not a signal's stop: a test's, say) nobody is told to stay away: no quiet to wait for.
      await stopAccepting(server, (o.drainMs ?? 0) > 0 ? () => lastConnectionAt : () => 0);
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

const REFUSAL = JSON.stringify({ error: { code: "NOT_READY", message: "shutting down", details: [] } });

/**
 * After the drain, a request that still comes (on a connection accepted before the listener closes, or on
 * an idle keep-alive socket) runs nothing and is answered 503 with `Retry-After`: a refusal the client can
 * retry elsewhere or later. The body is read first: a socket closed with unread data sends a reset, which
 * could beat the 503 to the client.
 */
function refuse(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.once("end", () => {
    res.writeHead(503, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(REFUSAL),
      "retry-after": String(RETRY_AFTER_S),
      connection: "close",
    });
    res.end(REFUSAL);
  });
}

/**
 * Stops accepting connections, keeping those open. Closing a listening socket resets every connection the
 * kernel has completed but node not yet accepted, after its client has sent the request (a cut no server
 * can avoid while clients keep connecting: in production the balancer, told by `/ready`, stops sending
 * first). So the close waits for a quiet moment: QUIET_MS without a new connection, every client at work
 * having been refused and staying away for its `Retry-After`; REFUSE_MAX_MS at the most. Node's own
 * `server.close()` also closes the idle keep-alive sockets at once, racing a request arriving on them;
 * that part is left out (closeSockets does it with a margin).
 */
async function stopAccepting(server: Server, lastConnectionAt: () => number): Promise<void> {
  const until = Date.now() + REFUSE_MAX_MS;
  while (Date.now() < until && Date.now() - lastConnectionAt() < QUIET_MS) {
    await new Promise((r) => setTimeout(r, 10));
  }
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
