import { agreementCreated } from "@loans/contracts";
import type { RouteDoc } from "@loans/shared/http/openapi";
import { exampleBatch } from "@loans/shared/outbox";
import {
  applicationPage,
  applicationParams,
  applicationView,
  intakeBatch,
  intakeResults,
  listQuery,
} from "./applications.schemas.ts";

/** A real application, decided, as the contract's example request leaves it. */
export const applicationExample = {
  agreementId: "94937b77-88cb-431a-9c64-ae4a7400b2b5",
  clientId: "70bd2e17-7027-4939-995a-8c7a849f81d9",
  status: "APPROVED",
  decision: {
    result: "APPROVED",
    reasons: [],
    decidedAt: "2026-11-29T17:39:06.974Z",
  },
  createdAt: "2026-11-29T17:39:06.951Z",
  updatedAt: "2026-11-29T17:39:06.974Z",
};

const intakeExample = exampleBatch(agreementCreated, { id: "m1", createdAt: "2026-11-29T17:39:06.945Z" });

const notFound = { code: "NOT_FOUND", message: "application 94937b77-88cb-431a-9c64-ae4a7400b2b5 not found" };

export const applicationRouteDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/applications/{agreementId}",
    access: { role: "viewer", apiKey: true },
    operationId: "getApplication",
    summary: "One application, by the id of its agreement in PE",
    tags: ["applications"],
    params: applicationParams,
    responses: {
      200: { description: "the application", body: applicationView, example: applicationExample },
      400: {
        description: "the id is not a uuid",
        errors: [
          {
            code: "VALIDATION_FAILED",
            message: "path is invalid: 1 problem(s)",
            details: [{ path: "agreementId", message: "Invalid UUID" }],
          },
        ],
      },
      404: { description: "no application for this agreement", errors: [notFound] },
    },
  },
  {
    method: "get",
    path: "/applications",
    access: { role: "viewer", apiKey: true },
    operationId: "listApplications",
    summary: "Applications, newest first, a page at a time",
    tags: ["applications"],
    query: listQuery,
    responses: {
      200: {
        description: "a page; nextCursor is null on the last one",
        body: applicationPage,
        example: { items: [applicationExample], nextCursor: null },
      },
      400: { description: "bad status, limit or cursor" },
    },
  },
  {
    method: "post",
    path: "/internal/applications",
    summary:
      "New agreements from PE's outbox; idempotent, each item answered with the application's state: " +
      "IN_PROGRESS, the decision once made, or WITHDRAWN (with no decision) when PE's withdrawal came first",
    operationId: "receiveApplications",
    tags: ["internal"],
    access: "service",
    body: intakeBatch,
    bodyExample: intakeExample,
    responses: {
      200: {
        description: "one result per message",
        body: intakeResults,
        example: { results: [{ id: "m1", outcome: "ok", result: { status: "IN_PROGRESS", decision: null } }] },
      },
      400: { description: "the batch envelope is malformed" },
    },
  },
];
