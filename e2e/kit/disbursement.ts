import { waitFor } from "@loans/shared/test-kit/wait";
import { expect } from "vitest";
import { api } from "./client.ts";
import { converged } from "./scenario.ts";
import type { System } from "./system.ts";

let batch = 0;

/** A 20-digit account; `suffix` picks the simulated bank's behaviour (…9901 closed, …9904 flaky). */
export const account = (n: number, suffix?: string) =>
  suffix ? `4081781${String(n).padStart(9, "0")}${suffix}` : `40817810${String(n).padStart(12, "0")}`;

/**
 * `n` agreements that scoring approves (clients of 35 with a large income, each their own), created
 * through PE and waited on until APPROVED there; answers their ids.
 */
export async function approvedAgreements(system: System, n: number, concurrency = 8): Promise<string[]> {
  const tag = `D${process.pid % 1000}B${batch++}X`;
  const ids: string[] = new Array(n);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      const r = await api(system.peUrl, "POST", "/agreements", {
        productCode: "CL1.0",
        client: {
          firstName: "Ivan",
          lastName: "Petrov",
          birthDate: "1990-05-17",
          passportNumber: `${tag}${String(i).padStart(6, "0")}`.slice(0, 20),
          email: "ivan@example.com",
          phone: "+79161234567",
          monthlyIncome: "500000.00",
        },
        disbursementAmount: "300000.00",
        termMonths: 12,
        interestRate: "12.5",
        originationFee: "5000.00",
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      ids[i] = r.body.id;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
  await waitFor(
    async () => {
      const r = await api(system.peUrl, "GET", `/agreements?status=APPROVED&limit=100`);
      const approved = new Set<string>();
      let page = r.body;
      for (;;) {
        for (const a of page.items) approved.add(a.id);
        if (!page.nextCursor) break;
        page = (await api(system.peUrl, "GET", `/agreements?status=APPROVED&limit=100&cursor=${page.nextCursor}`)).body;
      }
      return ids.every((id) => approved.has(id));
    },
    { timeoutMs: 60_000, everyMs: 200, what: `${n} agreements to be approved` },
  );
  return ids;
}

export const disburse = (system: System, id: string, accountNumber: string) =>
  api(system.peUrl, "POST", `/agreements/${id}/disburse`, { destination: { accountNumber } });

export const agreement = async (system: System, id: string) =>
  (await api(system.peUrl, "GET", `/agreements/${id}`)).body;

/** Waits for the agreement to reach one of `statuses` in PE; answers it. */
export function agreementIn(system: System, id: string, statuses: string[], timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const a = await agreement(system, id);
      return statuses.includes(a.status) ? a : null;
    },
    { timeoutMs, everyMs: 50, what: `agreement ${id} to be ${statuses.join(" or ")}` },
  );
}

/** Everything converged (`converged`), with the payout checks in the report; fails on any violation. */
export async function settledWithPayouts(system: System, timeoutMs = 60_000) {
  const report = await converged(system, timeoutMs);
  expect(report.payouts, "the system runs the Payment Gateway").toBeDefined();
  return report;
}
