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

/** The facts being gathered, by key: a fact is made once, and each posting adds to its account's line. */
interface FactBook {
  facts: Map<string, Fact>;
  fact(key: string, init: Omit<Fact, "key" | "lines">): Fact;
  post(f: Fact, account: Account, amount: Dec): void;
}

function factBook(): FactBook {
  const facts = new Map<string, Fact>();
  return {
    facts,
    fact(key, init) {
      const known = facts.get(key);
      if (known) return known;
      const f: Fact = { key, ...init, lines: new Map() };
      facts.set(key, f);
      return f;
    },
    post: (f, account, amount) => f.lines.set(account, (f.lines.get(account) ?? new Dec(0)).plus(amount)),
  };
}

export function ledgerFacts(x: LedgerInputs): Fact[] {
  const book = factBook();
  const d = book.fact("disbursement", { type: "DISBURSEMENT", on: x.disbursedOn, payoutId: x.disbursementId });
  book.post(d, "LOAN_PRINCIPAL", new Dec(x.principal));
  book.post(d, "SETTLEMENT", new Dec(x.disbursementAmount).neg());
  book.post(d, "FEE_INCOME", new Dec(x.originationFee).neg());
  postIncome(book, x.state);
  postPayments(book, x);
  postRefunds(book, x);
  return [...book.facts.values()];
}

/** Interest and penalty owed: each becomes income on the day it is recognised. */
function postIncome({ fact, post }: FactBook, state: LoanState): void {
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
}

/** Each payment into the client's funds on its value date, then its allocations out of them. */
function postPayments({ facts, fact, post }: FactBook, x: LedgerInputs): void {
  const { state } = x;
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
}

/** A settled refund leaves the client's funds: to SETTLEMENT when paid, to REFUND_PAYABLE when it failed. */
function postRefunds({ fact, post }: FactBook, x: LedgerInputs): void {
  for (const r of x.refunds) {
    if (r.status === "PENDING") continue;
    const f = fact(`refund:${r.paymentId}`, {
      type: "REFUND",
      on: r.settledOn ?? x.state.asOf,
      paymentId: r.paymentId,
      payoutId: r.payoutId,
    });
    post(f, "CLIENT_FUNDS", new Dec(r.amount));
    post(f, r.status === "PAID" ? "SETTLEMENT" : "REFUND_PAYABLE", new Dec(r.amount).neg());
  }
}
