import { waitFor } from "@loans/shared/test-kit/wait";
import { expect } from "vitest";
import { api } from "./client.ts";
import { account, agreement, agreementIn, approvedAgreements, disburse } from "./disbursement.ts";
import { rows } from "./invariants.ts";
import type { System } from "./system.ts";

/** Payments through the Payment Gateway, the business date and the stored figures, for servicing cases. */

/** 'YYYY-MM-DD' plus `n` days. */
export const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

export const businessDate = async (system: System): Promise<string> =>
  (await api(system.peUrl, "GET", "/admin/business-date")).body.date;

/** Moves PE's manual clock to `date` (the daily job runs for every day crossed before it answers). */
export async function moveTo(system: System, date: string) {
  const r = await api(system.peUrl, "POST", "/admin/business-date", { date });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { date: string; cob: Array<{ date: string; agreements: number; penaltyPosted: string }> };
}

let accounts = 500;

/** `n` agreements disbursed on today's business date and ACTIVE in PE; answers their ids. */
export async function activeLoans(system: System, n: number): Promise<string[]> {
  const ids = await approvedAgreements(system, n);
  for (const id of ids) {
    const r = await disburse(system, id, account(accounts++));
    expect(r.status, JSON.stringify(r.body)).toBe(202);
  }
  for (const id of ids) await agreementIn(system, id, ["ACTIVE"]);
  return ids;
}

export interface PaymentRequest {
  agreementId: string;
  amount: string;
  key: string;
  purpose?: "REGULAR" | "EARLY_REPAYMENT";
  /** Where the request goes: PG itself, or a proxy in front of it. */
  via?: string;
}

export const PAYER = account(9_000);

/** The client's `POST /payments` to PG, with the answer's headers. */
export async function payVia(system: System, p: PaymentRequest) {
  const r = await fetch(`${p.via ?? system.gateway[0]!.url}/payments`, {
    method: "POST",
    headers: { "content-type": "application/json", "Idempotency-Key": p.key },
    body: JSON.stringify({
      agreementId: p.agreementId,
      amount: p.amount,
      purpose: p.purpose ?? "REGULAR",
      payer: { accountNumber: PAYER },
    }),
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : undefined };
}

/** A payment PG accepted (202); answers its id. */
export async function pay(system: System, p: PaymentRequest): Promise<string> {
  const r = await payVia(system, p);
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  return r.body.id;
}

export const gatewayPayment = async (system: System, id: string) =>
  (await api(system.gateway[0]!.url, "GET", `/payments/${id}`)).body;

/** Waits for the bank to have collected the payment (PG's SUCCEEDED). */
export const succeeded = (system: System, id: string) =>
  waitFor(
    async () => {
      const p = await gatewayPayment(system, id);
      return p.status === "SUCCEEDED" ? p : null;
    },
    { what: `payment ${id} to succeed in PG` },
  );

export interface PePayment {
  id: string;
  value_date: string;
  refund_whole: boolean;
  amount: string;
  answer: { appliedOn: string; allocation: Record<string, string> } | null;
}

export const pePayments = (system: System, where: string) =>
  rows<PePayment>(
    system.databases.pe,
    `select id, to_char(value_date, 'YYYY-MM-DD') as value_date, refund_whole, amount::text, answer
     from payments where ${where}`,
  );

/** Waits for PE to have applied the payment; answers its row. */
export const applied = (system: System, id: string) =>
  waitFor(async () => (await pePayments(system, `id = '${id}'`))[0], { what: `payment ${id} to reach PE` });

/**
 * What PE stored for a loan, in the shape GET /agreements/{id} shows its schedule, with each period's
 * penalty also summed from its daily accruals, and the ledger's balance per account.
 */
export async function stored(system: System, id: string) {
  const url = system.databases.pe;
  const schedule = await rows<Record<string, unknown>>(
    url,
    `select s.period, to_char(s.due_date, 'YYYY-MM-DD') as "dueDate", s.status,
            s.paid_principal::text as "paidPrincipal", s.paid_interest::text as "paidInterest",
            s.penalty::text as penalty, s.paid_penalty::text as "paidPenalty",
            to_char(s.paid_on, 'YYYY-MM-DD') as "paidOn",
            coalesce((select sum(amount) from penalty_accruals p
                      where p.agreement_id = s.agreement_id and p.period = s.period), 0)::numeric(14,2)::text as accrued
     from schedule_payments s where s.agreement_id = '${id}' order by s.period`,
  );
  const ledger = await rows<{ account: string; balance: string }>(
    url,
    `select account, sum(debit - credit)::text as balance from ledger_entries
     where agreement_id = '${id}' group by 1 order by 1`,
  );
  const [cob] = await rows<{ d: string }>(
    url,
    `select to_char(last_cob_date, 'YYYY-MM-DD') as d from agreements where id = '${id}'`,
  );
  return { schedule, ledger, lastCobDate: cob?.d ?? null };
}

const PERIOD_FIELDS = [
  "period",
  "dueDate",
  "status",
  "paidPrincipal",
  "paidInterest",
  "penalty",
  "paidPenalty",
  "paidOn",
] as const;

/**
 * The stored rows are the core's state materialised (LIFECYCLE §7): each period as GET /agreements/{id}
 * computes it on the business date, each penalty the sum of its accruals, the job caught up to today.
 */
export async function expectStoredAsShown(system: System, id: string) {
  const view = await agreement(system, id);
  const s = await stored(system, id);
  const pick = (r: Record<string, unknown>) => Object.fromEntries(PERIOD_FIELDS.map((k) => [k, r[k]]));
  expect(s.schedule.map(pick), `stored periods of ${id}`).toEqual(view.schedule.map(pick));
  for (const r of s.schedule) expect(r.accrued, `period ${r.period}'s accruals`).toBe(r.penalty);
  if (view.status === "ACTIVE") expect(s.lastCobDate).toBe(view.businessDate);
  return { view, stored: s };
}
