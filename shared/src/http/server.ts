import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type Koa from "koa";

export interface RunningServer {
  server: Server;
  port: number;
  url: string;
  /**
   * Stops accepting, lets in-flight requests finish and closes keep-alive sockets as they go idle;
   * sockets still busy after `graceMs` are cut.
   */
  close(graceMs?: number): Promise<void>;
}

export interface ListenOptions {
  /** How long a client may take to send a whole request (node's `server.requestTimeout`). */
  requestTimeoutMs?: number;
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
  let closing = false;
  const handler = app.callback();
  const server = createServer({ connectionsCheckingInterval }, (req, res) => {
    // While stopping, every answer tells the client to close the connection: a client that keeps
    // sending on a keep-alive socket would otherwise hold the server open for ever.
    if (closing) res.setHeader("Connection", "close");
    return handler(req, res);
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
    close: (graceMs = 5_000) =>
      new Promise<void>((resolve) => {
        closing = true;
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), graceMs).unref();
      }),
  };
}
