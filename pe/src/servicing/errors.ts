/**
 * The two ways the core refuses: inputs that cannot describe a loan (a bug upstream, never a client's
 * mistake), and a payoff quote asked for a date outside LIFECYCLE §2.5a's range (the shell answers 422
 * QUOTE_NOT_AVAILABLE).
 */

export class ServicingInputError extends Error {
  override readonly name = "ServicingInputError";
}

export type QuoteRefusal = "LOAN_CLOSED" | "BEFORE_BUSINESS_DATE" | "AFTER_NEXT_DUE_DATE";

export class QuoteNotAvailableError extends Error {
  override readonly name = "QuoteNotAvailableError";
  constructor(
    readonly reason: QuoteRefusal,
    message: string,
  ) {
    super(message);
  }
}
