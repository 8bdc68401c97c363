import { Dec, decimalInput, moneyInput, moneyOutput, rateInput, toMoney, toRate } from "@loans/shared/money";
import type { Selectable } from "kysely";
import { z } from "zod";
import type { ProductsTable } from "../db.ts";
import { wholeNumber } from "../http/inputs.ts";
import { MAX_TERM_MONTHS, productCode } from "../records/product-code.ts";

export const AMORTIZATIONS = ["ANNUITY", "EQUAL_PRINCIPAL"] as const;
export const DUE_DATE_SHIFTS = ["NONE", "NEXT_WORKING_DAY"] as const;

// Rates are stored as numeric(7,4): 999.9999 is the largest that fits.
const productRate = () => rateInput().refine((r) => new Dec(r).lt(1000), "must be below 1000");

const PAIRS = [
  ["minTermMonths", "maxTermMonths"],
  ["minPrincipal", "maxPrincipal"],
  ["minInterestRate", "maxInterestRate"],
  ["minOriginationFee", "maxOriginationFee"],
] as const;

export const createProductBody = z
  .strictObject({
    code: productCode(),
    name: z.string().trim().min(1, "must not be empty").max(100, "must be at most 100 characters"),
    amortization: z.enum(AMORTIZATIONS).default("ANNUITY"),
    minTermMonths: wholeNumber(1, MAX_TERM_MONTHS),
    maxTermMonths: wholeNumber(1, MAX_TERM_MONTHS),
    minPrincipal: moneyInput(),
    maxPrincipal: moneyInput(),
    minInterestRate: productRate(),
    maxInterestRate: productRate(),
    minOriginationFee: moneyInput({ allowZero: true }),
    maxOriginationFee: moneyInput({ allowZero: true }),
    /** Percent a year on overdue principal (LIFECYCLE D6): 353-FZ caps it at 20. */
    penaltyRate: decimalInput(2)
      .refine((d) => d.gte(0) && d.lte(20), "must be from 0 to 20")
      .transform((d) => d.toFixed(2))
      .default("20.00"),
    penaltyGraceDays: wholeNumber(0, 30).default(0),
    /**
     * The PSK an agreement may not exceed, percent a year (EXCEPTIONS D19): 353-FZ art. 6 part 11 caps it at
     * 365; a lender sets the Bank of Russia's quarterly average for the category plus a third if lower.
     */
    pskCeiling: decimalInput(3)
      .refine((d) => d.gte("0.001") && d.lte(365), "must be from 0.001 to 365.000")
      .transform((d) => d.toFixed(3))
      .default("365.000"),
    /** EXCEPTIONS D18: NEXT_WORKING_DAY moves each due date off non-working days; NONE keeps periodEnd. */
    dueDateShift: z.enum(DUE_DATE_SHIFTS).default("NONE"),
  })
  .superRefine(
    (p, ctx) => {
      // Runs even when other fields are bad, so one answer lists every problem; a pair with a bad half is skipped.
      const bad = new Set(ctx.issues.map((i) => i.path?.[0]));
      for (const [min, max] of PAIRS) {
        if (bad.has(min) || bad.has(max) || p[min] === undefined || p[max] === undefined) continue;
        if (new Dec(p[min]).gt(p[max]))
          ctx.addIssue({ code: "custom", path: [max], message: `must not be below ${min} (${p[min]})` });
      }
    },
    { when: (payload) => typeof payload.value === "object" && payload.value !== null },
  )
  .meta({ id: "ProductRequest" });
export type CreateProductInput = z.output<typeof createProductBody>;

export const productResponse = z
  .object({
    code: z.string(),
    name: z.string(),
    amortization: z.enum(AMORTIZATIONS),
    minTermMonths: z.number().int(),
    maxTermMonths: z.number().int(),
    minPrincipal: moneyOutput(),
    maxPrincipal: moneyOutput(),
    minInterestRate: z.string(),
    maxInterestRate: z.string(),
    minOriginationFee: moneyOutput(),
    maxOriginationFee: moneyOutput(),
    penaltyRate: z.string(),
    penaltyGraceDays: z.number().int(),
    pskCeiling: z.string(),
    dueDateShift: z.enum(DUE_DATE_SHIFTS),
    createdAt: z.string(),
  })
  .meta({ id: "Product" });
export type ProductResponse = z.output<typeof productResponse>;

export const productListResponse = z.object({ items: z.array(productResponse) }).meta({ id: "ProductList" });

export function toProductResponse(row: Selectable<ProductsTable>): ProductResponse {
  return {
    code: row.code,
    name: row.name,
    amortization: row.amortization,
    minTermMonths: row.min_term_months,
    maxTermMonths: row.max_term_months,
    minPrincipal: toMoney(row.min_principal),
    maxPrincipal: toMoney(row.max_principal),
    minInterestRate: toRate(row.min_interest_rate),
    maxInterestRate: toRate(row.max_interest_rate),
    minOriginationFee: toMoney(row.min_origination_fee),
    maxOriginationFee: toMoney(row.max_origination_fee),
    penaltyRate: toRate(row.penalty_rate),
    penaltyGraceDays: row.penalty_grace_days,
    pskCeiling: new Dec(row.psk_ceiling).toFixed(3),
    dueDateShift: row.due_date_shift,
    createdAt: row.created_at.toISOString(),
  };
}
