import type { AddressInfo } from "node:net";
import Koa from "koa";
import { afterAll, beforeAll, expect, it } from "vitest";
import { errorMiddleware } from "../src/http/errors.ts";

let server: ReturnType<Koa["listen"]>;
let url: string;

beforeAll(async () => {
  const app = new Koa();
  app.silent = true;
  app.use(errorMiddleware(() => {}));
  // Throws what node-postgres throws for the SQLSTATE in the path.
  app.use((ctx) => {
    throw Object.assign(new Error("from the database"), { code: ctx.path.slice(1) });
  });
  server = app.listen(0, "127.0.0.1");
  await new Promise((res) => server.once("listening", res));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((res) => server.close(res)));

it.each([
  ["08006", 503, "DATABASE_UNAVAILABLE"],
  ["57P01", 503, "DATABASE_UNAVAILABLE"],
  ["53300", 503, "DATABASE_UNAVAILABLE"],
  ["22021", 500, "INTERNAL"],
  ["23505", 500, "INTERNAL"],
])("a database error %s answers %i %s", async (sqlstate, status, code) => {
  const r = await fetch(`${url}/${sqlstate}`);
  expect(r.status).toBe(status);
  expect(((await r.json()) as { error: { code: string } }).error.code).toBe(code);
  expect(r.headers.get("retry-after")).toBe(status === 503 ? "1" : null);
});
