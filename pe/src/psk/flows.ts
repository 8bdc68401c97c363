import { Dec } from "@loans/shared/money";
import { addMonthsClamped } from "../calendar.ts";
import type { LoanState } from "../servicing/types.ts";
import type { PskFlow } from "./psk.ts";

/** A schedule's rows as flows: each payment on its dueDate (the moved date where dates move, §2.4). */
export const scheduleFlows = (rows: Array<{ dueDate: string; payment: string }>): PskFlow[] =>
  rows.map((r) => ({ date: r.dueDate, amount: r.payment }));

/**
 * The rows on their nominal dates, start + k months: the flows of the PSK under NONE, which the ceiling is
 * checked against (§3.11). Its percent never depends on the start date (every e_k = 0, q_k = k).
 */
export const nominalFlows = (start: string, rows: Array<{ period: number; payment: string }>): PskFlow[] =>
  rows.map((r) => ({ date: addMonthsClamped(start, r.period), amount: r.payment }));

/**
 * The flows of a serviced loan's current schedule version (§3.11). Version 1: its rows. A later one (a
 * partial early repayment on the due date D of period k): the interest and principal each payment paid to
 * periods up to k, on the payment's value date, so the prepaid amount counts on the day it was paid; then
 * the version's rows after D. Penalties are no part of the PSK (353-FZ art. 6 part 5). The periods up to k
 * were all paid when the version took effect, so the total is the version's Σ payments (§4.2 item 15).
 */
export function versionFlows(state: LoanState): PskFlow[] {
  const version = state.versions.at(-1)!;
  if (version.version === 1) return scheduleFlows(version.rows);
  const cut = version.effectiveOn;
  const past = new Set(version.rows.filter((r) => r.dueDate <= cut).map((r) => r.period));
  const valueDate = new Map(state.payments.map((p) => [p.id, p.valueDate]));
  const paid = new Map<string, Dec>();
  for (const a of state.allocations) {
    if (a.period === null || !past.has(a.period) || (a.component !== "INTEREST" && a.component !== "PRINCIPAL"))
      continue;
    const date = valueDate.get(a.paymentId)!;
    paid.set(date, (paid.get(date) ?? new Dec(0)).plus(a.amount));
  }
  const made = [...paid].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, sum]) => ({ date, amount: sum.toFixed(2) }));
  return [...made, ...scheduleFlows(version.rows.filter((r) => r.dueDate > cut))];
}
