import { randomBytes } from "node:crypto";
import { testServerUrl } from "@loans/db/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { buildBaselines } from "../baseline/build.ts";
import { type CobResult, cobPhase, type PaymentsResult, paymentsPhase, type ServicingPlan } from "../servicing.ts";
import { cobRows, paymentRows } from "../servicing-report.ts";

// The servicing phases of `pnpm bench` in quick mode, small: the figures are produced and add up (every
// payment applied once, every agreement advanced by the days moved, the baseline doing the same work).
// Not timings.
let plan: ServicingPlan;
beforeAll(async () => {
  await buildBaselines();
  const server = testServerUrl();
  plan = {
    peServer: server,
    originationServer: server,
    run: `t${randomBytes(3).toString("hex")}`,
    direct: true,
    concurrency: 4,
    payments: 6,
    loans: 12,
    cobDays: 3,
    cobWorkers: 4,
    statements: false,
  };
});

describe("the bench's servicing phases, quick", () => {
  it("payments: each paid once through PG and once straight to PE, all applied, with a rate and latencies", async () => {
    const r: PaymentsResult = await paymentsPhase(plan);
    expect(r.checks).toEqual([]);
    for (const path of [r.gateway, r.direct]) {
      expect(path.applied).toBe(plan.payments);
      expect(path.errors).toBe(0);
      expect(path.appliedAmount).toBe(path.sentAmount);
      expect(path.perSec).toBeGreaterThan(0);
      expect(path.latency.n).toBe(plan.payments);
      expect(path.latency.p99).toBeGreaterThanOrEqual(path.latency.p50);
      expect(path.cpuSeconds).toHaveProperty("pe");
      expect(path.cpuSeconds).toHaveProperty("gateway");
      expect(path.operations).toBe(plan.payments);
    }
    const rows = paymentRows(r);
    expect(rows[0]![0]).toMatch(/payments applied\/s/);
    expect(rows.some(([label]) => label.startsWith("commits per payment: PE database"))).toBe(true);
  }, 180_000);

  it("the daily job: every cloned loan advanced by the days moved, the same figures as the pg-boss baseline", async () => {
    const r: CobResult = await cobPhase(plan);
    expect(r.checks).toEqual([]);
    expect(r.to).toBe("2025-02-17");
    expect(r.batched.advanced).toBe(plan.loans);
    expect(r.pgBoss.advanced).toBe(plan.loans);
    expect(r.batched.operations).toBe(plan.loans * plan.cobDays);
    // The due date is 2025-02-15 and nothing was paid: one period OVERDUE per loan, two penalty days each.
    expect(r.batched.overduePeriods).toBe(plan.loans);
    expect(r.pgBoss.penaltyTotal).toBe(r.batched.penaltyTotal);
    expect(Number(r.batched.penaltyTotal)).toBeGreaterThan(0);
    expect(r.batched.perDay).toHaveLength(plan.cobDays);
    expect(r.batched.agreementDaysPerSec).toBeGreaterThan(0);
    expect(r.pgBoss.agreementDaysPerSec).toBeGreaterThan(0);
    expect(cobRows(r)[0]![0]).toBe("agreement-days/s");
  }, 180_000);
});
