import { randomUUID } from "node:crypto";
import { Dec } from "@loans/shared/money";
import { sql } from "kysely";
import { expect } from "vitest";
import { application, call, callInternal, type TestPe } from "./helpers.ts";

/** PE alone on a manual clock, with PG's messages made by hand and signed as PG's relay signs them. */
export const ACCOUNT = "40817810000000000001";
let seq = 1;
export const wire = (topic: string, agreementId: string, payload: Record<string, unknown>) => ({
  id: `s${seq++}`,
  topic,
  aggregateId: agreementId,
  payload,
  createdAt: new Date().toISOString(),
});

export async function moveTo(pe: TestPe, date: string) {
  const r = await call(pe.url, "POST", "/admin/business-date", { date });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { date: string; cob: Array<Record<string, unknown>> };
}

/** An agreement through approval, disbursement and PG's PAID, ACTIVE on the business date. */
export async function activeLoan(pe: TestPe, overrides: Record<string, unknown> = {}): Promise<string> {
  const id = await approvedLoan(pe, overrides);
  await disburseAndPay(pe, id);
  return id;
}

export async function approvedLoan(pe: TestPe, overrides: Record<string, unknown> = {}): Promise<string> {
  const created = await call(pe.url, "POST", "/agreements", application(overrides));
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  const decided = await callInternal(pe.url, "/internal/decisions", {
    messages: [
      wire("application.decided", id, {
        agreementId: id,
        result: "APPROVED",
        reasons: [],
        decidedAt: new Date().toISOString(),
      }),
    ],
  });
  expect(decided.body.results[0].outcome).toBe("ok");
  return id;
}

/** The client's disburse, then PG's PAID for it, settled now. */
export async function disburseAndPay(pe: TestPe, id: string) {
  const d = await call(pe.url, "POST", `/agreements/${id}/disburse`, { destination: { accountNumber: ACCOUNT } });
  expect(d.status).toBe(202);
  const paid = await callInternal(pe.url, "/internal/payout-results", {
    messages: [
      wire("payout.settled", id, {
        payoutId: d.body.disbursement.id,
        kind: "DISBURSEMENT",
        agreementId: id,
        amount: d.body.disbursementAmount,
        status: "PAID",
        settledAt: new Date().toISOString(),
      }),
    ],
  });
  expect(paid.body.results[0]).toMatchObject({ outcome: "ok", result: { agreementStatus: "ACTIVE" } });
}

export interface PaymentArgs {
  amount: string;
  purpose?: "REGULAR" | "EARLY_REPAYMENT";
  paymentId?: string;
  succeededAt?: string;
  payer?: string;
}

export function paymentMessage(id: string, p: PaymentArgs) {
  return wire("payment.succeeded", id, {
    paymentId: p.paymentId ?? randomUUID(),
    agreementId: id,
    amount: p.amount,
    purpose: p.purpose ?? "REGULAR",
    payer: { accountNumber: p.payer ?? ACCOUNT },
    succeededAt: p.succeededAt ?? new Date().toISOString(),
  });
}

/** PG's `payment.succeeded` for one payment; answers PE's item result. */
export async function pay(pe: TestPe, id: string, p: PaymentArgs) {
  const r = await callInternal(pe.url, "/internal/payments", { messages: [paymentMessage(id, p)] });
  expect(r.status).toBe(200);
  return r.body.results[0];
}

export const loan = async (pe: TestPe, id: string) => (await call(pe.url, "GET", `/agreements/${id}`)).body;

/**
 * LIFECYCLE §3.2 items 2, 3, 5 and 6 on PE's tables for one agreement: each payment fully accounted for,
 * nothing negative, a closed loan fully settled, every journal balanced, and the ledger's accounts equal
 * to the figures GET /agreements/{id} shows.
 */
export async function checkMoney(pe: TestPe, id: string) {
  const { rows: unbalanced } = await sql<{ journal_id: string }>`
    select journal_id from ledger_entries where agreement_id = ${id}
    group by journal_id having sum(debit) <> sum(credit)`.execute(pe.db);
  expect(unbalanced, "journals that do not balance").toEqual([]);
  const { rows: unaccounted } = await sql<{ id: string }>`
    select p.id from payments p
    where p.agreement_id = ${id}
      and p.amount <> coalesce((select sum(amount) from allocations a where a.payment_id = p.id), 0)
        + coalesce((select remaining from unapplied_funds f where f.payment_id = p.id), 0)
        + case when p.refund_whole then p.amount else 0 end`.execute(pe.db);
  expect(unaccounted, "payments whose allocations do not add up to them").toEqual([]);
  const { rows: negative } = await sql<{ period: number }>`
    select period from schedule_payments where agreement_id = ${id}
      and (paid_interest < 0 or paid_interest > interest or paid_principal < 0 or paid_principal > principal
           or paid_penalty < 0 or paid_penalty > penalty)`.execute(pe.db);
  expect(negative).toEqual([]);
  const { rows: accounts } = await sql<{ account: string; balance: string }>`
    select account, sum(debit - credit)::text as balance from ledger_entries where agreement_id = ${id}
    group by account`.execute(pe.db);
  const bal = (a: string) => new Dec(accounts.find((r) => r.account === a)?.balance ?? 0).toFixed(2);
  const view = await loan(pe, id);
  const { rows: pending } = await sql<{ sum: string | null }>`
    select sum(amount)::text as sum from refunds where agreement_id = ${id} and status = 'PENDING'`.execute(pe.db);
  expect(bal("LOAN_PRINCIPAL")).toBe(view.balances.principalOutstanding);
  expect(bal("PENALTY_RECEIVABLE")).toBe(view.balances.penaltyOutstanding);
  const unapplied = new Dec(view.balances.unappliedFunds).plus(pending[0]?.sum ?? 0);
  expect(bal("CLIENT_FUNDS")).toBe(unapplied.neg().toFixed(2));
  if (view.status === "CLOSED") {
    expect(view.schedule.every((p: { status: string }) => p.status === "PAID")).toBe(true);
    expect(view.balances).toMatchObject({
      penaltyOutstanding: "0.00",
      unappliedFunds: "0.00",
      principalOutstanding: "0.00",
    });
    expect(bal("INTEREST_RECEIVABLE")).toBe("0.00");
  }
  return { balance: bal, view };
}
