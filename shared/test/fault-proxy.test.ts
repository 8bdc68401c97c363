import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultAction, type FaultProxy, mulberry32, startFaultProxy } from "../test-kit/fault-proxy.ts";

// An upstream that counts what it handled and echoes the request body.
let upstream: Server;
let handled = 0;
let proxy: FaultProxy;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      handled++;
      res.writeHead(201, { "content-type": "application/json", "x-upstream": "yes" });
      res.end(JSON.stringify({ echo: body, path: req.url }));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
  proxy = await startFaultProxy({ target: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
});
afterAll(async () => {
  await proxy?.close();
  await new Promise((r) => upstream.close(r));
});

async function call(body = "hello"): Promise<{ status: number; text: string } | { error: string }> {
  try {
    const res = await request(`${proxy.url}/some/path?q=1`, { method: "POST", body, headersTimeout: 3_000 });
    return { status: res.statusCode, text: await res.body.text() };
  } catch (err) {
    return { error: (err as Error).name };
  }
}

describe("fault proxy", () => {
  it.each<[string, FaultAction, { reached: boolean; answer: "echo" | number | "error" }]>([
    ["passes", { kind: "pass" }, { reached: true, answer: "echo" }],
    ["drops the request", { kind: "dropRequest" }, { reached: false, answer: "error" }],
    ["drops the answer", { kind: "dropAnswer" }, { reached: true, answer: "error" }],
    ["delays, then passes", { kind: "delay", ms: 30 }, { reached: true, answer: "echo" }],
    ["holds the answer", { kind: "delayAnswer", ms: 30 }, { reached: true, answer: "echo" }],
    ["answers 500 alone", { kind: "status", status: 500 }, { reached: false, answer: 500 }],
    ["answers 503 after the peer", { kind: "status", status: 503, afterPeer: true }, { reached: true, answer: 503 }],
    ["answers garbage", { kind: "garbage" }, { reached: false, answer: 200 }],
    ["cuts the answer's body", { kind: "cutBody" }, { reached: true, answer: "error" }],
  ])("%s", async (_, action, expected) => {
    const before = handled;
    proxy.once(action);
    const r = await call();
    expect(handled - before).toBe(expected.reached ? 1 : 0);
    if (expected.answer === "error") expect(r).toHaveProperty("error");
    else if (expected.answer === "echo")
      expect(r).toEqual({ status: 201, text: '{"echo":"hello","path":"/some/path?q=1"}' });
    else expect(r).toMatchObject({ status: expected.answer });
  });

  it("counts what it did and keeps a history", async () => {
    proxy.reset();
    proxy.set((req) => (req.body.toString() === "drop" ? { kind: "dropRequest" } : { kind: "pass" }));
    await call("a");
    await call("drop");
    proxy.set({ kind: "pass" });
    expect(proxy.counters()).toMatchObject({ requests: 2, forwarded: 1, passed: 1, droppedRequests: 1, inFlight: 0 });
    expect(proxy.history().map((e) => [e.action, e.body])).toEqual([
      ["pass", "a"],
      ["dropRequest", "drop"],
    ]);
  });

  it("takes several targets in turn", async () => {
    const second = createServer((_, res) => res.writeHead(200).end("second"));
    await new Promise<void>((r) => second.listen(0, "127.0.0.1", () => r()));
    const both = await startFaultProxy({
      target: [
        `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
        `http://127.0.0.1:${(second.address() as AddressInfo).port}`,
      ],
    });
    const texts: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await request(`${both.url}/x`, { method: "POST", body: "b" });
      texts.push((await res.body.text()).startsWith("{") ? "first" : "second");
    }
    expect(texts).toEqual(["first", "second", "first", "second"]);
    await both.close();
    await new Promise((r) => second.close(r));
  });

  it("draws random faults reproducibly from a seed", async () => {
    const draw = async () => {
      proxy.reset();
      proxy.chaos({ dropRequest: 0.3, dropAnswer: 0.3, seed: 42 });
      for (let i = 0; i < 20; i++) await call(String(i));
      proxy.set({ kind: "pass" });
      return proxy.history().map((e) => e.action);
    };
    const first = await draw();
    expect(await draw()).toEqual(first);
    expect(new Set(first)).toEqual(new Set(["pass", "dropRequest", "dropAnswer"]));
    const r = mulberry32(7);
    expect(Array.from({ length: 3 }, r)).toEqual(Array.from({ length: 3 }, mulberry32(7)));
  });
});
