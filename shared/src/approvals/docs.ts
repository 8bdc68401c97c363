import { z } from "zod";
import { forbiddenExample } from "../audit/guard.ts";
import type { RouteDoc } from "../http/openapi.ts";
import { APPROVAL_STATUSES, approvalsQuery } from "./routes.ts";

const operatorRef = z.object({ id: z.string().nullable(), name: z.string() });

export const approvalSchema = z
  .object({
    id: z.uuid(),
    status: z
      .enum(APPROVAL_STATUSES)
      .describe("EXPIRED once past `expiresAt` undecided; FAILED: approved, the action refused"),
    action: z.string().describe("the registered action: `product.create`, …"),
    target: z.string().describe("what it acts on: `product:CL2.0`"),
    request: z.unknown().describe("the requester's validated input, exactly as asked: what approving runs"),
    requestedBy: operatorRef.extend({ role: z.string() }),
    requestedAt: z.string(),
    expiresAt: z.string().describe("requestedAt + APPROVAL_TTL_HOURS (24 unless set)"),
    decidedBy: operatorRef.nullable(),
    decidedAt: z.string().nullable(),
    result: z.unknown().describe("what the action answered (APPROVED), or its error (FAILED)"),
  })
  .meta({ id: "Approval" });

/** The 202 of an action marked for four-eyes (product creation, …): nothing is done yet. */
export const pendingApprovalSchema = z
  .object({
    approval: approvalSchema.pick({
      id: true,
      status: true,
      action: true,
      target: true,
      requestedBy: true,
      expiresAt: true,
    }),
  })
  .meta({ id: "PendingApproval" });

const requestedBy = { id: "0b7c4f4e-9a43-4a57-8d1e-3c5e8f1a2b3c", name: "anna", role: "admin" };
export const pendingApprovalExample = {
  approval: {
    id: "5e7d8c9b-0a1b-4c2d-8e3f-4a5b6c7d8e9f",
    status: "PENDING",
    action: "product.create",
    target: "product:CL2.0",
    requestedBy,
    expiresAt: "2025-03-18T10:15:00.000Z",
  },
};
const approvedExample = {
  ...pendingApprovalExample.approval,
  status: "APPROVED",
  request: { code: "CL2.0", name: "Consumer loan 2" },
  requestedAt: "2025-03-17T10:15:00.000Z",
  decidedBy: { id: "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", name: "boris" },
  decidedAt: "2025-03-17T11:02:00.000Z",
  result: { code: "CL2.0", name: "Consumer loan 2" },
};

const idParam = z.object({ id: z.uuid().describe("the approval's id") });
const notFoundError = {
  description: "no such approval",
  errors: [{ code: "NOT_FOUND", message: "approval not found" }],
};

const decisionDoc = (decision: "approve" | "reject"): RouteDoc => ({
  method: "post",
  path: `/admin/approvals/{id}/${decision}`,
  operationId: `${decision}Approval`,
  summary:
    decision === "approve"
      ? "Approve a pending action: it runs once, as requested, in this request's transaction. Needs the role " +
        "the action declares (admin for product creation) and another operator than the requester"
      : "Reject a pending action: it never runs. The requester may reject their own request",
  tags: ["admin"],
  access: { role: "viewer" },
  params: idParam,
  responses: {
    200: {
      description: `the approval, ${decision === "approve" ? "APPROVED" : "REJECTED"} (now or before: a repeat answers it as it is)`,
      body: z.object({ approval: approvalSchema }),
      example: {
        approval: decision === "approve" ? approvedExample : { ...approvedExample, status: "REJECTED", result: null },
      },
    },
    403: {
      description: "the operator may not decide it",
      errors: [
        forbiddenExample("admin"),
        ...(decision === "approve"
          ? [
              {
                code: "SAME_OPERATOR",
                message: "the operator who requested it may not approve it; another must",
                details: [{ path: "operator", message: "anna requested it" }],
              },
            ]
          : []),
      ],
    },
    404: notFoundError,
    409: {
      description:
        "expired (now marked EXPIRED), decided otherwise already, or approved and refused by the action itself " +
        "(its own error, such as PRODUCT_EXISTS; the approval is then FAILED)",
      errors: [
        { code: "APPROVAL_EXPIRED", message: "the approval expired at 2025-03-18T10:15:00.000Z" },
        { code: "APPROVAL_DECIDED", message: "the approval is REJECTED already" },
      ],
    },
  },
});

export const approvalDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/admin/approvals",
    operationId: "listApprovals",
    summary: "Actions waiting for (or decided by) a second operator, newest first (role viewer)",
    tags: ["admin"],
    access: { role: "viewer" },
    query: approvalsQuery,
    responses: {
      200: {
        description: "a page; `nextCursor` as `after` gives the next (older) page",
        body: z.object({ items: z.array(approvalSchema), nextCursor: z.string().nullable() }),
        example: { items: [approvedExample], nextCursor: null },
      },
      403: { description: "the operator's role may not read approvals", errors: [forbiddenExample("viewer")] },
    },
  },
  {
    method: "get",
    path: "/admin/approvals/{id}",
    operationId: "getApproval",
    summary: "One approval (role viewer)",
    tags: ["admin"],
    access: { role: "viewer" },
    params: idParam,
    responses: {
      200: {
        description: "the approval",
        body: z.object({ approval: approvalSchema }),
        example: { approval: approvedExample },
      },
      403: { description: "the operator's role may not read approvals", errors: [forbiddenExample("viewer")] },
      404: notFoundError,
    },
  },
  decisionDoc("approve"),
  decisionDoc("reject"),
];
