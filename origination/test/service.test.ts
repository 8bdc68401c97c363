import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOriginationConfig } from "../src/config.ts";
import { startOrigination } from "../src/service.ts";

let database: TestDatabase;
let origination: Awaited<ReturnType<typeof startOrigination>>;

beforeAll(async () => {
  database = await createTestDatabase("origination");
  origination = await startOrigination(
    loadOriginationConfig({
      ORIGINATION_DATABASE_URL: database.url,
      ORIGINATION_PORT: "0",
      LOG_LEVEL: "silent",
      PE_URL: "http://127.0.0.1:9",
    }),
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

describe("Origination configuration", () => {
  const url = "postgres://x/origination";

  it("defaults the scoring thresholds to 18, 70 and 50 %", () => {
    expect(loadOriginationConfig({ ORIGINATION_DATABASE_URL: url })).toMatchObject({
      SCORING_MIN_AGE: 18,
      SCORING_MAX_AGE_AT_END: 70,
      SCORING_MAX_PTI_PERCENT: "50",
      SCORING_DELAY_MS: 0,
    });
  });

  it("refuses bad thresholds, naming each", () => {
    expect(() =>
      loadOriginationConfig({ ORIGINATION_DATABASE_URL: url, SCORING_MAX_PTI_PERCENT: "0.5e2", SCORING_MIN_AGE: "x" }),
    ).toThrow(/SCORING_MIN_AGE[\s\S]*SCORING_MAX_PTI_PERCENT/);
    expect(() => loadOriginationConfig({ ORIGINATION_DATABASE_URL: url, SCORING_MAX_PTI_PERCENT: "100.01" })).toThrow(
      /SCORING_MAX_PTI_PERCENT/,
    );
    expect(() =>
      loadOriginationConfig({ ORIGINATION_DATABASE_URL: url, SCORING_MIN_AGE: "71", SCORING_MAX_AGE_AT_END: "70" }),
    ).toThrow(/SCORING_MIN_AGE/);
  });
});
