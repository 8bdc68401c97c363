import { connect, type Socket } from "node:net";
import Router from "@koa/router";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createBaseApp } from "../src/http/app.ts";
import { listen, type RunningServer } from "../src/http/server.ts";
import { createLogger } from "../src/log.ts";

// The server's close sequence, seen from a raw keep-alive socket: what a client of any library sees.

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One TCP connection speaking HTTP/1.1 by hand: requests one at a time, and how the socket ended. */
function rawClient(port: number) {
  const socket: Socket = connect(port, "127.0.0.1");
  let buffer = "";
  let waiting: ((a: Answer) => void) | undefined;
  const ended = new Promise<{ error?: string }>((resolve) => {
    socket.on("error", (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    socket.on("close", () => resolve({}));
  });
  socket.setEncoding("latin1");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    const head = buffer.indexOf("\r\n\r\n");
    if (head < 0) return;
    const [statusLine, ...lines] = buffer.slice(0, head).split("\r\n");
    const headers = Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
    );
    const length = Number(headers["content-length"] ?? 0);
    if (buffer.length < head + 4 + length) return;
    const body = buffer.slice(head + 4, head + 4 + length);
    buffer = buffer.slice(head + 4 + length);
    waiting?.({ status: Number(statusLine?.split(" ")[1]), headers, body });
  });
  const connected = new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  return {
    connected,
    ended,
    /** Writes a GET at once (synchronously, before any timer of the server can run) and awaits its answer. */
    get(path: string): Promise<Answer> {
      const answer = new Promise<Answer>((resolve, reject) => {
        waiting = resolve;
        void ended.then((e) => reject(new Error(`socket ended before the answer: ${e.error ?? "closed"}`)));
      });
      socket.write(`GET ${path} HTTP/1.1\r\nHost: test\r\nConnection: keep-alive\r\n\r\n`);
      return answer;
    },
    destroy: () => socket.destroy(),
  };
}

let running: RunningServer | undefined;
let release: () => void = () => {};
// Never connects: /ready refuses a draining server before it asks the database anything.
const pool = new pg.Pool({ connectionString: "postgres://nobody@127.0.0.1:1/none" });

async function start(): Promise<RunningServer> {
  const app = createBaseApp({
    service: "test",
    pool,
    log: createLogger("server-close-test", "silent"),
    serviceSecret: "s".repeat(32),
  });
  const router = new Router();
  router.get("/fast", (ctx) => {
    ctx.body = { ok: true };
  });
  router.get("/slow", async (ctx) => {
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    ctx.body = { ok: "slow" };
  });
  app.use(router.routes());
  running = await listen(app, 0);
  return running;
}

afterEach(async () => {
  release();
  await running?.close({ graceMs: 100 });
  running = undefined;
});

describe("closing the server", () => {
  it("a request written on an idle keep-alive socket as the close begins gets an answer (a 503), not a reset", async () => {
    const server = await start();
    const client = rawClient(server.port);
    await client.connected;
    expect((await client.get("/fast")).headers.connection).toBe("keep-alive");
    const closed = server.close({ graceMs: 5_000 });
    // The old close destroyed idle sockets here, in the same tick: this request met a reset.
    // No drain asked for: it comes after accepting stopped, so it is refused, with nothing run.
    const answer = await client.get("/fast");
    expect([answer.status, answer.headers.connection, answer.headers["retry-after"]]).toEqual([503, "close", "1"]);
    expect(JSON.parse(answer.body)).toEqual({ error: { code: "NOT_READY", message: "shutting down", details: [] } });
    // The server ends the socket after an answer saying so: a FIN, not a reset.
    expect(await client.ended).toEqual({});
    await closed;
  });

  it("during the drain: answers carry Connection: close, /ready is 503, new connections are served", async () => {
    const server = await start();
    const idle = rawClient(server.port);
    await idle.connected;
    // The test's pool reaches no database: /ready refuses for that reason until the drain begins.
    expect(JSON.parse((await idle.get("/ready")).body).error.message).toBe("database unreachable");
    const closed = server.close({ drainMs: 400, graceMs: 5_000 });
    const fresh = rawClient(server.port);
    await fresh.connected;
    const ready = await fresh.get("/ready");
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ error: { code: "NOT_READY", message: "shutting down" } });
    expect(ready.headers.connection).toBe("close");
    const late = await idle.get("/fast");
    expect([late.status, late.headers.connection]).toEqual([200, "close"]);
    expect(await idle.ended).toEqual({});
    await closed;
    // After the drain the listener is gone: a refusal, not a cut.
    const after = rawClient(server.port);
    await expect(after.connected).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("through the drain and after it, fresh connections get answers, then 503 + Retry-After, then a refusal: never a reset", async () => {
    const server = await start();
    const closed = server.close({ drainMs: 200, graceMs: 5_000 });
    const seen: string[] = [];
    // One fresh connection after another: each keeps the listener open (it waits for a quiet moment),
    // until the client, told by a 503 to stay away, stops coming.
    for (;;) {
      const client = rawClient(server.port);
      const connected = await client.connected.then(
        () => true,
        (err: NodeJS.ErrnoException) => err.code,
      );
      if (connected !== true) {
        seen.push(String(connected));
        break;
      }
      const a = await client.get("/fast");
      expect(await client.ended).toEqual({});
      seen.push(`${a.status} ${a.headers.connection} ${a.headers["retry-after"] ?? "-"}`);
      if (a.status === 503) break;
    }
    await closed;
    const after = rawClient(server.port);
    await expect(after.connected).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(seen.at(-1)).toBe("503 close 1");
    expect(new Set(seen.slice(0, -1))).toEqual(new Set(["200 close -"]));
  });

  it("a request in flight when accepting stops finishes, its answer closing the connection", async () => {
    const server = await start();
    const client = rawClient(server.port);
    await client.connected;
    const slow = client.get("/slow");
    await new Promise((r) => setTimeout(r, 50));
    const closed = server.close({ graceMs: 10_000 });
    let done = false;
    void closed.then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toBe(false);
    release();
    const answer = await slow;
    expect([answer.status, answer.body, answer.headers.connection]).toEqual([200, '{"ok":"slow"}', "close"]);
    await closed;
    expect(await client.ended).toEqual({});
  });

  it("an idle socket on which nothing comes is closed by the server, and the close resolves", async () => {
    const server = await start();
    const client = rawClient(server.port);
    await client.connected;
    await client.get("/fast");
    await server.close({ graceMs: 60_000 });
    expect(await client.ended).toEqual({});
  });

  it("a request still running at the hard deadline is cut, and the close resolves", async () => {
    const server = await start();
    const client = rawClient(server.port);
    await client.connected;
    const slow = client.get("/slow").catch((err: Error) => err.message);
    await new Promise((r) => setTimeout(r, 50));
    await server.close({ graceMs: 200 });
    expect(await slow).toMatch(/socket ended before the answer/);
  });
});
