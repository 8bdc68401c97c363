import { Dec } from "@loans/shared/money";
import type { Kysely } from "kysely";
import type { PeDB } from "../db.ts";

const PAYING = new Set(["REPAYMENT", "PREPAYMENT", "PAYOFF", "REALLOCATION"]);

export interface TransactionView {
  id: string;
  type: string;
  on: string;
  amount: string;
  /** What a repayment paid, by component; null for other journals. Negative in an adjustment that undoes. */
  allocation: { interest: string; principal: string; penalty: string } | null;
  paymentId: string | null;
  payoutId: string | null;
  entries: Array<{ account: string; debit: string; credit: string }>;
}

/**
 * The ledger as GET /agreements/{id}/transactions shows it: one item per journal, oldest first, paged by
 * journal id. `amount` is the money that crossed the settlement account when there was any (the payment,
 * the disbursement, a refund), else the journal's total.
 */
export async function listTransactions(
  db: Kysely<PeDB>,
  agreementId: string,
  page: { limit: number; after?: string | undefined },
): Promise<{ items: TransactionView[]; nextCursor: string | null }> {
  let q = db
    .selectFrom("ledger_entries")
    .select("journal_id")
    .distinct()
    .where("agreement_id", "=", agreementId)
    .orderBy("journal_id")
    .limit(page.limit + 1);
  if (page.after) q = q.where("journal_id", ">", page.after);
  const ids = (await q.execute()).map((r) => r.journal_id);
  const more = ids.length > page.limit;
  const shown = ids.slice(0, page.limit);
  if (shown.length === 0) return { items: [], nextCursor: null };
  const lines = await db
    .selectFrom("ledger_entries")
    .select(["journal_id", "type", "on_date", "account", "debit", "credit", "payment_id", "payout_id"])
    .where("agreement_id", "=", agreementId)
    .where("journal_id", "in", shown)
    .orderBy("id")
    .execute();
  const items = shown.map((id) => {
    const ls = lines.filter((l) => l.journal_id === id);
    const first = ls[0]!;
    const net = (account: string) =>
      ls.filter((l) => l.account === account).reduce((s, l) => s.plus(l.credit).minus(l.debit), new Dec(0));
    const settlement = ls.filter((l) => l.account === "SETTLEMENT");
    const amount = settlement.length > 0 ? net("SETTLEMENT").abs() : ls.reduce((s, l) => s.plus(l.debit), new Dec(0));
    return {
      id,
      type: first.type,
      on: first.on_date,
      amount: amount.toFixed(2),
      allocation: PAYING.has(first.type)
        ? {
            interest: net("INTEREST_RECEIVABLE").toFixed(2),
            principal: net("LOAN_PRINCIPAL").toFixed(2),
            penalty: net("PENALTY_RECEIVABLE").toFixed(2),
          }
        : null,
      paymentId: first.payment_id,
      payoutId: first.payout_id,
      entries: ls.map((l) => ({
        account: l.account,
        debit: new Dec(l.debit).toFixed(2),
        credit: new Dec(l.credit).toFixed(2),
      })),
    };
  });
  return { items, nextCursor: more ? shown.at(-1)! : null };
}
