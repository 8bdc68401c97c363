import { Decimal } from "decimal.js";
import { z } from "zod";

/** Decimal arithmetic for money: wide precision, banker's rounding (as SCHEDULE.md asks). */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN, toExpNeg: -40, toExpPos: 40 });
export type Dec = Decimal;

/** Rounds to cents, half-even, and renders with exactly two fraction digits: "300000.00". */
export const toMoney = (d: Decimal.Value): string => new Dec(d).toDecimalPlaces(2, Decimal.ROUND_HALF_EVEN).toFixed(2);

/** Renders a rate with no trailing zeros: "12.5", "9.4822". */
export const toRate = (d: Decimal.Value): string => new Dec(d).toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toString();

/** Largest amount any request may carry: far above any product, far below numeric(14,2)'s ceiling. */
export const MAX_AMOUNT = "1000000000.00";

/**
 * A decimal given as a string or a JSON number with at most `places` fraction digits, turned into its
 * exact decimal string. A number is read by its shortest text form, so 0.1 is "0.1", never 0.1000000000000000055.
 */
export function decimalInput(places: number) {
  const pattern = new RegExp(`^-?\\d{1,15}(\\.\\d{1,${places}})?$`);
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    const text = typeof v === "number" ? String(v) : v.trim();
    if (!pattern.test(text)) {
      ctx.addIssue({ code: "custom", message: `must be a decimal number with at most ${places} fraction digits` });
      return z.NEVER;
    }
    return new Dec(text);
  });
}

/** A money amount: > 0 (or ≥ 0 with `allowZero`), two decimals at most, at most MAX_AMOUNT; gives "123.40". */
export function moneyInput(opts: { allowZero?: boolean } = {}) {
  return decimalInput(2)
    .refine(
      (d) => (opts.allowZero ? d.gte(0) : d.gt(0)),
      opts.allowZero ? "must be zero or more" : "must be more than zero",
    )
    .refine((d) => d.lte(MAX_AMOUNT), `must be at most ${MAX_AMOUNT}`)
    .transform((d) => d.toFixed(2));
}

/** An annual rate in percent: 0 up to (not including) 1000, four decimals at most; gives "12.5". */
export function rateInput() {
  return decimalInput(4)
    .refine((d) => d.gte(0), "must be zero or more")
    .refine((d) => d.lt(1000), "must be less than 1000")
    .transform((d) => d.toString());
}

/**
 * A money amount given as text, safe by construction: the form check aborts, so decimal.js only ever
 * reads text it can parse. (zod 4 runs a `.refine` even after a failed `.regex` on the same string; a
 * refine that parsed the text threw DecimalError on "1.2.3" and answered 500.) Gives "10.50" for "10.5";
 * `exactCents` asks for two fraction digits as messages carry them.
 */
export function moneyText(opts: { min: string; max: string; message?: string; exactCents?: boolean }) {
  const message = opts.message ?? `must be a decimal string from ${opts.min} to ${opts.max}, two decimals at most`;
  const pattern = opts.exactCents ? /^\d{1,15}\.\d{2}$/ : /^\d{1,15}(\.\d{1,2})?$/;
  return z
    .string({ error: message })
    .regex(pattern, { error: message, abort: true })
    .transform((text, ctx) => {
      const d = new Dec(text);
      if (d.gte(opts.min) && d.lte(opts.max)) return d.toFixed(2);
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    });
}

/** The wire form of money in responses and messages. */
export const moneyOutput = () => z.string().regex(/^-?\d+\.\d{2}$/);
