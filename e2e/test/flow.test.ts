import { waitFor } from "@loans/shared/test-kit/wait";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../kit/client.ts";
import { agreementBody, makeClients, random } from "../kit/requests.ts";
import type { System } from "../kit/system.ts";
import { startTestSystem, type TestSystem } from "../kit/test-system.ts";

let test: TestSystem;
let system: System;

beforeAll(async () => {
  test = await startTestSystem();
  ({ system } = test);
});
afterAll(async () => {
  await test?.stop();
});

describe("an agreement end to end, both services as processes", () => {
  it("reaches a decision in PE with its reasons, and PAYMENT_PENDING or REJECTED in Origination", async () => {
    const rnd = random(7);
    const clients = makeClients(20, rnd, "FLOW");
    const created = await Promise.all(
      clients.map(async (c) => {
        const r = await api(system.peUrl, "POST", "/agreements", agreementBody(c, rnd));
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        return r.body.id as string;
      }),
    );
    for (const id of created) {
      const agreement = await waitFor(
        async () => {
          const r = await api(system.peUrl, "GET", `/agreements/${id}`);
          return ["APPROVED", "REJECTED"].includes(r.body.status) ? r.body : null;
        },
        { what: `a decision on ${id}` },
      );
      expect(agreement.decision.result).toBe(agreement.status);
      if (agreement.status === "REJECTED") expect(agreement.decision.reasons.length).toBeGreaterThan(0);
      else expect(agreement.decision.reasons).toEqual([]);
      const application = await waitFor(async () => {
        const r = await api(system.origination[0]!.url, "GET", `/applications/${id}`);
        return ["PAYMENT_PENDING", "REJECTED"].includes(r.body.status) ? r.body : null;
      });
      expect(application.decision).toEqual(agreement.decision);
    }
    const report = await waitFor(async () => {
      const r = await system.check();
      return r.violations.length === 0 ? r : null;
    });
    expect(report).toMatchObject({
      agreements: 20,
      applications: 20,
      decided: 20,
      converged: 20,
      lost: 0,
      duplicates: 0,
    });
  });
});
