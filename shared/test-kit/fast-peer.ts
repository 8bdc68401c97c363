/**
 * A receiving peer that does no database work: it checks the signature, answers `ok` for every item and
 * notes when it first saw each message. For benchmarks, where the sender is what is measured, and for
 * chaos runs that need a peer to stay out of the way.
 *
 * In-process: `startFastPeer({ secret })`. As a process of its own (so it does not share the sender's
 * event loop): `forkFastPeer(secret)`, which runs this file and talks to it over IPC.
 */
import { fork } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { SIGNATURE_HEADER, verifyRequest } from "../src/http/service-auth.ts";

export interface FastPeerStats {
  requests: number;
  messages: number;
  refused: number;
}

export interface FastPeer {
  url: string;
  stats(): Promise<FastPeerStats>;
  /** When each message was first seen, in epoch milliseconds with a fraction, by `payload.key`. */
  seen(keys: string[]): Promise<Array<number | null>>;
  close(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();

export async function startFastPeer(opts: { secret: string }): Promise<FastPeer> {
  const firstSeen = new Map<string, number>();
  const stats: FastPeerStats = { requests: 0, messages: 0, refused: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const at = now();
      stats.requests++;
      const body = Buffer.concat(chunks).toString("utf8");
      const path = new URL(req.url ?? "/", "http://peer").pathname;
      const header = req.headers[SIGNATURE_HEADER] as string | undefined;
      const problem = verifyRequest(opts.secret, header, { method: req.method ?? "POST", path, body });
      if (problem) {
        stats.refused++;
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: problem }));
        return;
      }
      const { messages } = JSON.parse(body) as { messages: Array<{ id: string; payload?: { key?: string } }> };
      let out = "";
      for (const m of messages) {
        const key = m.payload?.key ?? m.id;
        if (!firstSeen.has(key)) firstSeen.set(key, at);
        out += `${out ? "," : ""}{"id":${JSON.stringify(m.id)},"outcome":"ok"}`;
      }
      stats.messages += messages.length;
      res.writeHead(200, { "content-type": "application/json" }).end(`{"results":[${out}]}`);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats: async () => ({ ...stats }),
    seen: async (keys) => keys.map((k) => firstSeen.get(k) ?? null),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type Ask = { op: "stats" } | { op: "seen"; keys: string[] } | { op: "close" };
type Request = { n: number } & Ask;

/** Runs the peer in a child process; the same interface, answered over IPC. */
export async function forkFastPeer(secret: string): Promise<FastPeer> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, FAST_PEER_SECRET: secret },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, (v: unknown) => void>();
  let n = 0;
  const url = await new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`fast peer exited with ${code}`)));
    child.on("message", (m: { n?: number; url?: string; value?: unknown }) => {
      if (m.url) resolve(m.url);
      else if (m.n !== undefined) pending.get(m.n)?.(m.value);
    });
  });
  const ask = <T>(req: Ask): Promise<T> =>
    new Promise((resolve) => {
      const id = ++n;
      pending.set(id, (v) => {
        pending.delete(id);
        resolve(v as T);
      });
      child.send({ ...req, n: id });
    });
  return {
    url,
    stats: () => ask({ op: "stats" }),
    seen: (keys) => ask({ op: "seen", keys }),
    async close() {
      child.removeAllListeners("exit");
      const exited = new Promise((r) => child.once("exit", r));
      await ask({ op: "close" });
      await exited;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const peer = await startFastPeer({ secret: process.env.FAST_PEER_SECRET ?? "" });
  process.on("message", async (m: Request) => {
    const reply = (value: unknown) => process.send?.({ n: m.n, value });
    if (m.op === "stats") reply(await peer.stats());
    else if (m.op === "seen") reply(await peer.seen(m.keys));
    else {
      await peer.close();
      reply(null);
      process.disconnect();
    }
  });
  process.send({ url: peer.url });
}
