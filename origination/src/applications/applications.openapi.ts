import type { RouteDoc } from "@loans/shared/http/openapi";
import {
  applicationPage,
  applicationParams,
  applicationView,
  intakeBatch,
  intakeResults,
  listQuery,
} from "./applications.schemas.ts";

export const applicationRouteDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/applications/{agreementId}",
    summary: "One application, by the id of its agreement in PE",
    tags: ["applications"],
    params: applicationParams,
    responses: {
      200: { description: "the application", body: applicationView },
      400: { description: "the id is not a uuid" },
      404: { description: "no application for this agreement" },
    },
  },
  {
    method: "get",
    path: "/applications",
    summary: "Applications, newest first, a page at a time",
    tags: ["applications"],
    query: listQuery,
    responses: {
      200: { description: "a page; nextCursor is null on the last one", body: applicationPage },
      400: { description: "bad status, limit or cursor" },
    },
  },
  {
    method: "post",
    path: "/internal/applications",
    summary:
      "New agreements from PE's outbox; idempotent, each item answered with the application's state: " +
      "IN_PROGRESS, the decision once made, or WITHDRAWN (with no decision) when PE's withdrawal came first",
    tags: ["internal"],
    security: "service",
    body: intakeBatch,
    responses: {
      200: { description: "one result per message", body: intakeResults },
      400: { description: "the batch envelope is malformed" },
      401: { description: "missing or wrong signature; nothing is written" },
    },
  },
];
