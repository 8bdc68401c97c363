/** The first 8 characters of a uuid: enough to tell loans apart on a screen, the full id is in the URL. */
export const shortId = (id: string) => id.slice(0, 8);

/** As the logs mask a passport number (shared/src/mask.ts): its last two digits. */
export const maskPassport = (p: string | undefined | null) => (p ? `***${p.slice(-2)}` : "—");

const money = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** Money arrives as two-decimal strings; shown grouped, never through float arithmetic beyond display. */
export const fmtMoney = (s: string | null | undefined) => (s == null ? "—" : money.format(Number(s)));

export const fmtTime = (iso: string | null | undefined) =>
  iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 19) : "—";

export function fmtAge(seconds: number | null | undefined): string {
  if (seconds == null) return "—";
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Scoring's rule codes in words (origination/src/scoring/rules.ts). */
export const REASONS: Record<string, string> = {
  AGE: "Age outside the allowed range (at least 18 on applying, at most 70 at the last due date)",
  PAYMENT_TO_INCOME: "Monthly payments would exceed the allowed share of the client's income",
};

/** PE's delinquency buckets (LIFECYCLE §2.6) in words. */
export const BUCKETS: Record<string, string> = {
  CURRENT: "current: nothing overdue",
  DPD_1_30: "1 to 30 days past due",
  DPD_31_60: "31 to 60 days past due",
  DPD_61_90: "61 to 90 days past due",
  DPD_90_PLUS: "more than 90 days past due",
};

/** What each journal of PE's ledger records, in words. */
export const TRANSACTION_TYPES: Record<string, string> = {
  DISBURSEMENT: "Disbursement",
  REPAYMENT: "Repayment",
  PENALTY: "Penalty accrued",
  INTEREST_DUE: "Interest due",
  PREPAYMENT: "Early repayment",
  PAYOFF: "Payoff",
  REFUND: "Refund of an overpayment",
  REALLOCATION: "Reallocation (late payment recomputed)",
  PENALTY_REVERSAL: "Penalty reversed",
};

export const PERIOD_STATUSES: Record<string, string> = {
  PENDING: "not yet due",
  PARTIALLY_PAID: "partly paid",
  PAID: "paid",
  OVERDUE: "overdue",
};

/** Sum of two-decimal strings in cents (no float drift), back as a two-decimal string. */
export function addMoney(...xs: Array<string | null | undefined>): string {
  const cents = xs.reduce((s, x) => s + (x ? BigInt(Math.round(Number(x) * 100)) : 0n), 0n);
  const neg = cents < 0n;
  const a = neg ? -cents : cents;
  return `${neg ? "-" : ""}${a / 100n}.${String(a % 100n).padStart(2, "0")}`;
}

export const isZero = (s: string | null | undefined) => s == null || Number(s) === 0;
