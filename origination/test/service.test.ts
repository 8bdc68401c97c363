import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOriginationConfig } from "../src/config.ts";
import { startOrigination } from "../src/service.ts";

let database: TestDatabase;
let origination: Awaited<ReturnType<typeof startOrigination>>;

beforeAll(async () => {
  database = await createTestDatabase("origination");
  origination = await startOrigination(
    loadOriginationConfig({ ORIGINATION_DATABASE_URL: database.url, ORIGINATION_PORT: "0", LOG_LEVEL: "silent" }),
  );
});
afterAll(async () => {
  await origination?.stop();
  await database?.drop();
});

describe("Origination service shell", () => {
  it("answers /health and /ready", async () => {
    expect(await (await fetch(`${origination.url}/health`)).json()).toEqual({ status: "ok", service: "origination" });
    expect((await fetch(`${origination.url}/ready`)).status).toBe(200);
  });
});
