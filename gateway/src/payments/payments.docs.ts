import type { RouteDoc } from "@loans/shared/http/openapi";
import {
  createPaymentBody,
  createPaymentHeaders,
  listPaymentsQuery,
  paymentPage,
  paymentParams,
  paymentView,
} from "./payments.schemas.ts";

const AGREEMENT = "94937b77-88cb-431a-9c64-ae4a7400b2b5";
const PAYMENT = "9b7e2c4a-1f3d-4e5a-8b6c-7d8e9f0a1b2c";

const processing = {
  id: PAYMENT,
  agreementId: AGREEMENT,
  amount: "27170.27",
  purpose: "REGULAR",
  status: "PROCESSING",
  failureCode: null,
  failureMessage: null,
  createdAt: "2026-12-29T09:00:00.000Z",
  succeededAt: null,
};

const succeeded = { ...processing, status: "SUCCEEDED", succeededAt: "2026-12-29T09:00:00.050Z" };

const keyProblem = (code: string, message: string, detail: string) => ({
  code,
  message,
  details: [{ path: "Idempotency-Key", message: detail }],
});

export const paymentRouteDocs: RouteDoc[] = [
  {
    method: "post",
    path: "/payments",
    access: { role: "officer", apiKey: true },
    operationId: "createPayment",
    summary: "Pay towards an agreement: the bank collects from the payer's account, PROCESSING → SUCCEEDED | FAILED",
    description:
      "Only a SUCCEEDED payment reaches PE, which allocates it. An unknown bank outcome never makes a payment " +
      "FAILED: it stays PROCESSING and is asked again with the same id.",
    tags: ["payments"],
    headers: createPaymentHeaders,
    body: createPaymentBody,
    bodyExample: {
      agreementId: AGREEMENT,
      amount: "27170.27",
      purpose: "REGULAR",
      payer: { accountNumber: "40817810000000000001" },
    },
    responses: {
      202: {
        description:
          "taken, PROCESSING; a replay with the Idempotency-Key and the same body answers the first answer " +
          "(PROCESSING still), with Idempotent-Replayed: true. GET /payments/{id} shows the payment now",
        body: paymentView,
        example: processing,
        headers: {
          Location: "the payment: `/payments/{id}`",
          "Idempotent-Replayed": "`true` when this answers a replay of an earlier request with the key",
        },
      },
      400: {
        description: "invalid fields or Idempotency-Key, every one listed; or no Idempotency-Key at all",
        errors: [
          keyProblem(
            "IDEMPOTENCY_KEY_REQUIRED",
            "a payment needs an Idempotency-Key",
            "required: retry with the same key, never pay twice",
          ),
        ],
      },
      409: {
        description: "a request with this Idempotency-Key is still being processed",
        errors: [
          keyProblem(
            "IDEMPOTENCY_KEY_IN_USE",
            "a request with this Idempotency-Key is still being processed",
            "in use by a request not finished yet; retry shortly",
          ),
        ],
      },
      422: {
        description: "the agreement takes no payments, or the Idempotency-Key was used with another request",
        errors: [
          {
            code: "AGREEMENT_NOT_PAYABLE",
            message: `agreement ${AGREEMENT} takes no payments`,
            details: [{ path: "agreementId", message: "not disbursed by this gateway, or closed" }],
          },
          keyProblem(
            "IDEMPOTENCY_KEY_REUSED",
            "this Idempotency-Key was used with another request",
            "already used with another method, path or body",
          ),
        ],
      },
    },
  },
  {
    method: "get",
    path: "/payments/{id}",
    access: { role: "viewer", apiKey: true },
    operationId: "getPayment",
    summary: "One payment as it is now: PROCESSING → SUCCEEDED | FAILED",
    tags: ["payments"],
    params: paymentParams,
    responses: {
      200: { description: "the payment", body: paymentView, example: succeeded },
      404: { description: "no such payment", errors: [{ code: "NOT_FOUND", message: "payment not found" }] },
    },
  },
  {
    method: "get",
    path: "/payments",
    access: { role: "viewer", apiKey: true },
    operationId: "listPayments",
    summary: "Payments, newest first, a page at a time; filters by agreement and status",
    tags: ["payments"],
    query: listPaymentsQuery,
    responses: {
      200: {
        description: "a page; nextCursor is null on the last one",
        body: paymentPage,
        example: { items: [succeeded], nextCursor: null },
      },
    },
  },
];
