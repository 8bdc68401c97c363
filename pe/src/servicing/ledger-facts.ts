import { Dec } from "@loans/shared/money";
import type { LoanState } from "./index.ts";

/**
 * The ledger a loan's state implies (LIFECYCLE §3.2 item 6), as facts: each business fact (the
 * disbursement, a period's interest falling due, a penalty day, a payment and what it paid on its value
 * date, funds spent by the daily job, a refund) with the net amount it puts on each account (debit
 * positive). Pure: the store compares these with the lines already posted and appends the difference.
 */

export type Account =
  | "LOAN_PRINCIPAL"
  | "INTEREST_RECEIVABLE"
  | "PENALTY_RECEIVABLE"
  | "CLIENT_FUNDS"
  | "SETTLEMENT"
  | "FEE_INCOME"
  | "INTEREST_INCOME"
  | "PENALTY_INCOME"
  | "REFUND_PAYABLE";

export type JournalType =
  | "DISBURSEMENT"
  | "REPAYMENT"
  | "PENALTY"
  | "INTEREST_DUE"
  | "PREPAYMENT"
  | "PAYOFF"
  | "REFUND"
  | "REALLOCATION"
  | "PENALTY_REVERSAL";

export interface Fact {
  key: string;
  type: JournalType;
  on: string;
  paymentId?: string;
  payoutId?: string;
  /** Net per account, debit positive; sums to zero. */
  lines: Map<Account, Dec>;
}

export interface LedgerInputs {
  principal: string;
  disbursementAmount: string;
  originationFee: string;
  disbursedOn: string;
  disbursementId: string;
  /** The core's state; null before the loan has any (not ACTIVE or CLOSED). */
  state: LoanState;
  /** Every payment PE recorded, allocated or refunded whole. */
  payments: ReadonlyArray<{ id: string; amount: string; valueDate: string; purpose: string; refundWhole: boolean }>;
  refunds: ReadonlyArray<{
    paymentId: string;
    payoutId: string;
    amount: string;
    status: string;
    settledOn: string | null;
  }>;
}

const RECEIVABLE = {
  INTEREST: "INTEREST_RECEIVABLE",
  PRINCIPAL: "LOAN_PRINCIPAL",
  PENALTY: "PENALTY_RECEIVABLE",
} as const;

export function ledgerFacts(x: LedgerInputs): Fact[] {
  const facts = new Map<string, Fact>();
  const fact = (key: string, init: Omit<Fact, "key" | "lines">): Fact => {
    const known = facts.get(key);
    if (known) return known;
    const f: Fact = { key, ...init, lines: new Map() };
    facts.set(key, f);
    return f;
  };
  const post = (f: Fact, account: Account, amount: Dec) =>
    f.lines.set(account, (f.lines.get(account) ?? new Dec(0)).plus(amount));

  const d = fact("disbursement", { type: "DISBURSEMENT", on: x.disbursedOn, payoutId: x.disbursementId });
  post(d, "LOAN_PRINCIPAL", new Dec(x.principal));
  post(d, "SETTLEMENT", new Dec(x.disbursementAmount).neg());
  post(d, "FEE_INCOME", new Dec(x.originationFee).neg());

  const { state } = x;
  // Interest is owed once its due date has come, or, for the period a payoff settles, on the closing day
  // (later periods' interest is then 0.00 in the current version).
  for (const p of state.periods) {
    const recognisedOn = state.closedOn !== null && state.closedOn < p.dueDate ? state.closedOn : p.dueDate;
    if (recognisedOn > state.asOf || new Dec(p.interest).isZero()) continue;
    const f = fact(`interest:${p.period}`, { type: "INTEREST_DUE", on: recognisedOn });
    post(f, "INTEREST_RECEIVABLE", new Dec(p.interest));
    post(f, "INTEREST_INCOME", new Dec(p.interest).neg());
  }
  for (const posting of state.penaltyPostings) {
    const f = fact(`penalty:${posting.on}`, { type: "PENALTY", on: posting.on });
    post(f, "PENALTY_RECEIVABLE", new Dec(posting.amount));
    post(f, "PENALTY_INCOME", new Dec(posting.amount).neg());
  }
  const byId = new Map(x.payments.map((p) => [p.id, p]));
  for (const p of x.payments) {
    const type = p.purpose === "EARLY_REPAYMENT" ? "PREPAYMENT" : "REPAYMENT";
    const f = fact(`payment:${p.id}`, {
      type: state.closedOn === p.valueDate && !p.refundWhole ? "PAYOFF" : type,
      on: p.valueDate,
      paymentId: p.id,
    });
    post(f, "SETTLEMENT", new Dec(p.amount));
    post(f, "CLIENT_FUNDS", new Dec(p.amount).neg());
  }
  // A refund stays in CLIENT_FUNDS until PG has paid it (§8.7); its allocation row is not a posting.
  for (const a of state.allocations) {
    if (a.component === "REFUND") continue;
    const p = byId.get(a.paymentId);
    const onValueDate = p?.valueDate === a.on;
    const f = onValueDate
      ? facts.get(`payment:${a.paymentId}`)!
      : fact(`funds:${a.paymentId}:${a.on}`, {
          type: p?.purpose === "EARLY_REPAYMENT" ? "PREPAYMENT" : "REPAYMENT",
          on: a.on,
          paymentId: a.paymentId,
        });
    post(f, "CLIENT_FUNDS", new Dec(a.amount));
    post(f, RECEIVABLE[a.component], new Dec(a.amount).neg());
  }
  for (const r of x.refunds) {
    if (r.status === "PENDING") continue;
    const f = fact(`refund:${r.paymentId}`, {
      type: "REFUND",
      on: r.settledOn ?? state.asOf,
      paymentId: r.paymentId,
      payoutId: r.payoutId,
    });
    post(f, "CLIENT_FUNDS", new Dec(r.amount));
    post(f, r.status === "PAID" ? "SETTLEMENT" : "REFUND_PAYABLE", new Dec(r.amount).neg());
  }
  return [...facts.values()];
}
