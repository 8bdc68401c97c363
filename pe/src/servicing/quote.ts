import { Dec } from "@loans/shared/money";
import { parseIsoDate } from "../calendar.ts";
import { QuoteNotAvailableError, ServicingInputError } from "./errors.ts";
import { fundsTotal, ZERO } from "./ledger.ts";
import { owed } from "./payoff.ts";
import { replay } from "./replay.ts";
import type { LoanTerms, Payment, PayoffQuote } from "./types.ts";

/**
 * The full payoff quote for date t, as of business date d (LIFECYCLE §2.5a): t runs from d to the first
 * due date strictly after d; once no due date is after d, t = d only, with no accrual. Payments valued
 * after d are not known yet and are left out. payoff(t) = max(0, owed(t) − unapplied funds).
 * Throws QuoteNotAvailableError (closed loan, t out of range) and ServicingInputError (bad inputs).
 */
export function payoffQuote(
  terms: LoanTerms,
  payments: readonly Payment[],
  businessDate: string,
  date: string = businessDate,
): PayoffQuote {
  if (!parseIsoDate(date)) throw new ServicingInputError(`not a date: ${date}`);
  const l = replay(terms, payments, businessDate);
  if (l.closedOn !== null) throw new QuoteNotAvailableError("LOAN_CLOSED", `the loan closed on ${l.closedOn}`);
  if (date < businessDate) {
    throw new QuoteNotAvailableError("BEFORE_BUSINESS_DATE", `${date} is before the business date ${businessDate}`);
  }
  const last = l.periods.find((p) => p.dueDate > businessDate)?.dueDate ?? businessDate;
  if (date > last) {
    throw new QuoteNotAvailableError("AFTER_NEXT_DUE_DATE", `a quote runs from ${businessDate} to ${last}`);
  }
  const o = owed(l, businessDate, date);
  const funds = fundsTotal(l);
  return {
    date,
    amount: Dec.max(ZERO, o.total.minus(funds)).toFixed(2),
    components: {
      principal: o.principal.toFixed(2),
      interest: o.interest.toFixed(2),
      overdueInterest: o.overdueInterest.toFixed(2),
      penalty: o.penalty.toFixed(2),
      unappliedFunds: funds.toFixed(2),
    },
    accrual: o.accrual && {
      period: o.accrual.period,
      from: o.accrual.from,
      to: o.accrual.to,
      daysElapsed: o.accrual.daysElapsed,
      daysInPeriod: o.accrual.daysInPeriod,
      openingBalance: o.accrual.openingBalance.toFixed(2),
      convention: "ACT_ACT_ICMA",
    },
  };
}
