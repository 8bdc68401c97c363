import { ConfigError } from "@loans/shared";
import { describe, expect, it } from "vitest";
import { loadGatewayConfig } from "../src/config.ts";

const base = { GATEWAY_DATABASE_URL: "postgres://localhost/gateway" };

describe("the gateway's settings", () => {
  it("defaults: port 3003, PE on 3001, a bank that settles in 50 ms and never fails", () => {
    const c = loadGatewayConfig(base);
    expect(c).toMatchObject({
      GATEWAY_PORT: 3003,
      GATEWAY_HOST: "127.0.0.1",
      PE_URL: "http://127.0.0.1:3001",
      BANK_LATENCY_MS: { minMs: 50, maxMs: 50 },
      BANK_FAILURE_RATE: 0,
      BANK_ERROR_RATE: 0,
    });
    expect(c.BANK_SEED).toBeUndefined();
  });

  it("reads a latency range and rates", () => {
    const c = loadGatewayConfig({ ...base, BANK_LATENCY_MS: "20-200", BANK_ERROR_RATE: "0.3", BANK_SEED: "x" });
    expect(c).toMatchObject({ BANK_LATENCY_MS: { minMs: 20, maxMs: 200 }, BANK_ERROR_RATE: 0.3, BANK_SEED: "x" });
  });

  it("takes the crash hook at a payout's or a payment's settlement, nothing else", () => {
    expect(loadGatewayConfig({ ...base, GATEWAY_CRASH_AT: "after-payment-settled" }).GATEWAY_CRASH_AT).toBe(
      "after-payment-settled",
    );
    expect(() => loadGatewayConfig({ ...base, GATEWAY_CRASH_AT: "somewhere" })).toThrow(/GATEWAY_CRASH_AT/);
  });

  it("names every bad setting at once, and refuses the crash hook in production", () => {
    let err: unknown;
    try {
      loadGatewayConfig({ BANK_LATENCY_MS: "200-20", BANK_ERROR_RATE: "2", GATEWAY_PORT: "x" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    for (const key of ["GATEWAY_DATABASE_URL", "BANK_LATENCY_MS", "BANK_ERROR_RATE", "GATEWAY_PORT"])
      expect((err as Error).message).toContain(key);
    expect(() =>
      loadGatewayConfig({
        ...base,
        NODE_ENV: "production",
        SERVICE_SECRET: "a-real-secret-of-enough-length",
        API_KEYS: "k1",
        ADMIN_TOKEN: "an-admin-token-long-enough",
        GATEWAY_CRASH_AT: "after-bank-settled",
      }),
    ).toThrow(/GATEWAY_CRASH_AT/);
  });
});
