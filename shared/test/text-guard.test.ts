import type { AddressInfo } from "node:net";
import Koa from "koa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJson, rawBody } from "../src/http/body.ts";
import { errorMiddleware } from "../src/http/errors.ts";
import { refuseNul } from "../src/http/text-guard.ts";

let server: ReturnType<Koa["listen"]>;
let url: string;
let reached = 0;

beforeAll(async () => {
  const app = new Koa();
  app.silent = true;
  app.use(errorMiddleware(() => {}));
  app.use(rawBody({ limit: 64 * 1024 }));
  app.use(parseJson({ maxDepth: 16 }));
  app.use(refuseNul());
  app.use((ctx) => {
    reached++;
    ctx.body = { ok: true };
  });
  server = app.listen(0, "127.0.0.1");
  await new Promise((res) => server.once("listening", res));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((res) => server.close(res)));

const post = (path: string, body: string) =>
  fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });

describe("a NUL anywhere in a request", () => {
  it.each([
    ["the path", () => fetch(`${url}/products/%00`), "path"],
    ["the path, inside a segment", () => fetch(`${url}/a/CL1%000/b`), "path"],
    ["the query", () => fetch(`${url}/x?status=%00`), "query"],
    ["a query key", () => fetch(`${url}/x?%00=1`), "query"],
    ["a body string", () => post("/x", '{"amount":"\\u0000"}'), "body"],
    ["a nested body string", () => post("/x", '{"a":[{"b":["ok","x\\u0000y"]}]}'), "body"],
    ["a body key", () => post("/x", '{"\\u0000":1}'), "body"],
  ])("in %s is a 400 before any route", async (_what, send, where) => {
    const before = reached;
    const r = await send();
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({
      error: {
        code: "VALIDATION_FAILED",
        message: `the request's ${where} must not contain the NUL character (U+0000)`,
        details: [{ path: where, message: "must not contain the NUL character (U+0000)" }],
      },
    });
    expect(reached).toBe(before);
  });

  it.each([
    ["an escaped zero that is not a NUL", () => fetch(`${url}/x?q=%2500`)],
    ["a malformed escape", () => fetch(`${url}/x?q=%zz`)],
    ["other scripts and a lone surrogate", () => post("/x", '{"name":"Иван 中文 \\ud800"}')],
    ["the text \\u0000 spelled out", () => post("/x", '{"a":"\\\\u0000"}')],
  ])("passes %s", async (_what, send) => {
    expect((await send()).status).toBe(200);
  });
});
