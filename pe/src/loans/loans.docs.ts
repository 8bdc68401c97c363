import { pageLimit } from "@loans/shared/http/cursor";
import type { RouteDoc } from "@loans/shared/http/openapi";
import { moneyOutput } from "@loans/shared/money";
import { z } from "zod";
import { calendarDate } from "../http/inputs.ts";
import { payoffQuoteExample } from "../openapi.examples.ts";

export const quoteQuery = z.strictObject({
  date: calendarDate()
    .optional()
    .describe("the payoff date, from the business date to the next due date; the business date unless given"),
});

export const transactionsQuery = z.strictObject({
  limit: pageLimit(),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, "is not a cursor this endpoint gave out")
    .optional(),
});

const idParam = z.object({ id: z.uuid() });

const payoffQuoteResponse = z
  .object({
    agreementId: z.string(),
    date: z.string(),
    amount: moneyOutput(),
    components: z.object({
      principal: moneyOutput(),
      interest: moneyOutput(),
      overdueInterest: moneyOutput(),
      penalty: moneyOutput(),
      unappliedFunds: moneyOutput(),
    }),
    accrual: z
      .object({
        period: z.number().int(),
        from: z.string(),
        to: z.string(),
        daysElapsed: z.number().int(),
        daysInPeriod: z.number().int(),
        openingBalance: moneyOutput(),
        convention: z.literal("ACT_ACT_ICMA"),
      })
      .nullable(),
  })
  .meta({ id: "PayoffQuote" });

const transactionView = z
  .object({
    id: z.string(),
    type: z.enum([
      "DISBURSEMENT",
      "REPAYMENT",
      "PENALTY",
      "INTEREST_DUE",
      "PREPAYMENT",
      "PAYOFF",
      "REFUND",
      "REALLOCATION",
      "PENALTY_REVERSAL",
    ]),
    on: z.string(),
    amount: moneyOutput(),
    allocation: z.object({ interest: moneyOutput(), principal: moneyOutput(), penalty: moneyOutput() }).nullable(),
    paymentId: z.string().nullable(),
    payoutId: z.string().nullable(),
    entries: z.array(z.object({ account: z.string(), debit: moneyOutput(), credit: moneyOutput() })),
  })
  .meta({ id: "Transaction" });

const transactionPage = z
  .object({ items: z.array(transactionView), nextCursor: z.string().nullable() })
  .meta({ id: "TransactionPage" });

const scheduleVersions = z
  .object({
    items: z.array(
      z.object({
        version: z.number().int(),
        effectiveOn: z.string(),
        /** Why it was appended (EXCEPTIONS §3.7); null on versions stored before reasons were kept. */
        reason: z.enum(["DISBURSEMENT", "PREPAYMENT", "PAYOFF", "CALENDAR"]).nullable(),
        rows: z.array(
          z.object({
            period: z.number().int(),
            periodEnd: z.string(),
            dueDate: z.string(),
            payment: moneyOutput(),
            principal: moneyOutput(),
            interest: moneyOutput(),
            balance: moneyOutput(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: "ScheduleVersions" });

export const loanDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/agreements/{id}/schedule-versions",
    access: { role: "viewer", apiKey: true },
    operationId: "listScheduleVersions",
    summary:
      "Every schedule version of a disbursed loan, oldest first: version 1 is the schedule re-dated at disbursement; " +
      "a partial early repayment adds one with the tail rebuilt (same due dates, lower payment), a calendar change " +
      "one with the due dates still ahead moved (reason CALENDAR)",
    tags: ["agreements"],
    params: idParam,
    responses: {
      200: {
        description: "the versions with their rows",
        body: scheduleVersions,
        example: {
          items: [
            {
              version: 1,
              effectiveOn: "2025-01-15",
              reason: "DISBURSEMENT",
              rows: [
                {
                  period: 1,
                  periodEnd: "2025-02-15",
                  dueDate: "2025-02-15",
                  payment: "27170.27",
                  principal: "23993.19",
                  interest: "3177.08",
                  balance: "281006.81",
                },
              ],
            },
          ],
        },
      },
      404: { description: "no such agreement", errors: [{ code: "NOT_FOUND", message: "agreement not found" }] },
    },
  },
  {
    method: "get",
    path: "/agreements/{id}/payoff-quote",
    access: { role: "viewer", apiKey: true },
    operationId: "getPayoffQuote",
    summary:
      "What pays the loan off on a date (LIFECYCLE §2.5a): principal outstanding, overdue interest, penalties and " +
      "the current period's interest accrued Actual/Actual (ICMA), less unapplied funds. Valid for its date only",
    tags: ["agreements"],
    params: idParam,
    query: quoteQuery,
    responses: {
      200: { description: "the quote", body: payoffQuoteResponse, example: payoffQuoteExample },
      404: { description: "no such agreement", errors: [{ code: "NOT_FOUND", message: "agreement not found" }] },
      422: {
        description: "the loan is not ACTIVE, or the date is outside the business date … next due date",
        errors: [
          {
            code: "QUOTE_NOT_AVAILABLE",
            message: "a quote runs from 2025-06-02 to 2025-06-15",
            details: [{ path: "date", message: "a quote runs from 2025-06-02 to 2025-06-15" }],
          },
        ],
      },
    },
  },
  {
    method: "get",
    path: "/agreements/{id}/transactions",
    access: { role: "viewer", apiKey: true },
    operationId: "listTransactions",
    summary:
      "The agreement's double-entry ledger, one item per journal, oldest first: what each disbursement, due date, " +
      "penalty day, payment and refund posted, and the adjustments a late payment's recomputation made",
    tags: ["agreements"],
    params: idParam,
    query: transactionsQuery,
    responses: {
      200: {
        description: "a page of journals",
        body: transactionPage,
        example: {
          items: [
            {
              id: "1",
              type: "DISBURSEMENT",
              on: "2025-01-15",
              amount: "300000.00",
              allocation: null,
              paymentId: null,
              payoutId: "5f1c3d0e-8a7b-4c2d-9e6f-0a1b2c3d4e5f",
              entries: [
                { account: "LOAN_PRINCIPAL", debit: "305000.00", credit: "0.00" },
                { account: "SETTLEMENT", debit: "0.00", credit: "300000.00" },
                { account: "FEE_INCOME", debit: "0.00", credit: "5000.00" },
              ],
            },
          ],
          nextCursor: null,
        },
      },
      404: { description: "no such agreement", errors: [{ code: "NOT_FOUND", message: "agreement not found" }] },
    },
  },
];
