/** The servicing core's public face: pure functions of a loan's terms, its value-dated payments and a date. */
export { QuoteNotAvailableError, type QuoteRefusal, ServicingInputError } from "./errors.ts";
export { payoffQuote } from "./quote.ts";
export { computeLoanState } from "./state.ts";
export type * from "./types.ts";
