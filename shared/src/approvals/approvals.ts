import { randomUUID } from "node:crypto";
import type { Context } from "koa";
import { type Kysely, sql, type Transaction } from "kysely";
import { forbidden, requireRole } from "../audit/guard.ts";
import type { Operator, Role } from "../audit/types.ts";
import { auditAction, describeAudit } from "../audit/write.ts";
import { currentRequestId } from "../context.ts";
import { AppError, notFound } from "../http/errors.ts";
import type { ApprovalSettings } from "./config.ts";
import { type Decision, decide } from "./decide.ts";
import { approvalError } from "./errors.ts";
import { type ApprovalRow, type ApprovalView, insertApproval, lockApproval, markDecided, toView } from "./store.ts";

export interface ApprovalRunContext {
  /** The approver's request: a handler may label or audit through it. */
  koa: Context;
  approval: ApprovalView;
  approvedBy: Operator;
}

export interface ApprovalAction<DB, I = unknown> {
  /** The role that may approve or reject it (admin may always). */
  role: Role;
  /**
   * Does what was asked, with the requester's input as stored, in the approval's transaction: it commits
   * with the approval marked APPROVED, or not at all. What it returns is the approval's `result`. An
   * AppError below 500 (PRODUCT_EXISTS, say) marks the approval FAILED and is answered as it is.
   */
  run: (trx: Transaction<DB>, request: I, ctx: ApprovalRunContext) => Promise<unknown>;
}

/** The 202 an action marked for four-eyes answers instead of acting. */
export interface PendingAnswer {
  approval: Pick<ApprovalView, "id" | "status" | "action" | "target" | "requestedBy" | "expiresAt">;
}

/**
 * Four-eyes approval over one service database: actions are registered by name, requested by a handler
 * in its transaction, and decided by POST /admin/approvals/{id}/approve or /reject (routes.ts).
 */
export function createApprovals<DB>(deps: { db: Kysely<DB>; settings: ApprovalSettings }) {
  const actions = new Map<string, ApprovalAction<DB>>();
  return {
    db: deps.db,
    registerApprovalAction<I>(name: string, def: ApprovalAction<DB, I>): void {
      if (actions.has(name)) throw new Error(`approval action ${name} is registered already`);
      actions.set(name, def as ApprovalAction<DB>);
    },
    actionNames: () => [...actions.keys()],
    /** Keeps the request as asked and answers 202 with the pending approval; the action does not run. */
    async request(trx: Transaction<DB>, ctx: Context, a: { action: string; target: string; request: unknown }) {
      if (!actions.has(a.action)) throw new Error(`approval action ${a.action} is not registered`);
      return requestApproval(trx, ctx, { ...a, ttlHours: deps.settings.ttlHours });
    },
    decide: (ctx: Context, id: string, decision: Decision) => decideApproval(deps.db, actions, ctx, id, decision),
  };
}

export type Approvals<DB> = ReturnType<typeof createApprovals<DB>>;

async function requestApproval<DB>(
  trx: Transaction<DB>,
  ctx: Context,
  a: { action: string; target: string; request: unknown; ttlHours: number },
): Promise<PendingAnswer> {
  const by = requireRole(ctx, "viewer");
  // jsonb cannot hold NUL: a request carrying one could never be run as asked.
  if (JSON.stringify(a.request).includes("\\u0000")) {
    throw new AppError("VALIDATION_FAILED", "request is invalid: 1 problem(s)", [
      { path: "", message: "must not contain NUL characters" },
    ]);
  }
  const row = await insertApproval(trx, { ...a, id: randomUUID(), by, requestId: currentRequestId() ?? null });
  await auditAction(trx, ctx, {
    action: "approval.request",
    target: a.target,
    summary: { approvalId: row.id, action: a.action, request: a.request, expiresAt: row.expiresAt },
    status: 202,
  });
  const { id, status, action, target, requestedBy, expiresAt } = row;
  return { approval: { id, status, action, target, requestedBy, expiresAt } };
}

type Settled = { view: ApprovalView } | { error: AppError };

async function decideApproval<DB>(
  db: Kysely<DB>,
  actions: Map<string, ApprovalAction<DB>>,
  ctx: Context,
  id: string,
  decision: Decision,
): Promise<ApprovalView> {
  const by = requireRole(ctx, "viewer");
  describeAudit(ctx, { action: `approval.${decision}`, target: `approval:${id}` });
  const settled = await db.transaction().execute(async (trx): Promise<Settled> => {
    const row = await lockApproval(trx, id);
    if (!row) throw notFound(`approval ${id}`);
    describeAudit(ctx, { action: `approval.${decision}`, target: row.target });
    const def = actions.get(row.action);
    if (!def) throw new AppError("CONFLICT", `this service has no handler for ${row.action}`);
    const facts = { status: row.stored, expired: row.expired, requestedBy: row.requestedBy, approverRole: def.role };
    const verdict = decide(facts, decision, by);
    const audit = (r: ApprovalRow, status: number, extra: Record<string, unknown> = {}, errorCode?: string) =>
      auditAction(trx, ctx, {
        action: `approval.${decision}`,
        target: r.target,
        summary: { approvalId: r.id, action: r.action, requestedBy: r.requestedBy.name, status: r.status, ...extra },
        status,
        errorCode,
      });
    switch (verdict.kind) {
      case "refuse":
        throw refusal(verdict.code, def.role, by, row);
      case "expire": {
        const expired = await markDecided(trx, id, { status: "EXPIRED", by: null });
        await audit(expired, 409, {}, "APPROVAL_EXPIRED");
        return { error: refusal("APPROVAL_EXPIRED", def.role, by, expired) };
      }
      case "as-is":
        await audit(row, 200, { unchanged: true });
        return { view: toView(row) };
      case "reject": {
        const rejected = await markDecided(trx, id, { status: "REJECTED", by });
        await audit(rejected, 200);
        return { view: toView(rejected) };
      }
      case "run":
        return runOnce(trx, ctx, def, row, by, audit);
    }
  });
  if ("error" in settled) throw settled.error;
  return settled.view;
}

/**
 * Runs the approved action behind a savepoint: its refusal (an AppError below 500) undoes only what it
 * wrote, and the approval is kept FAILED with that error; anything else rolls the whole decision back,
 * leaving the approval PENDING for a retry.
 */
async function runOnce<DB>(
  trx: Transaction<DB>,
  ctx: Context,
  def: ApprovalAction<DB>,
  row: ApprovalRow,
  by: Operator,
  audit: (r: ApprovalRow, status: number, extra?: Record<string, unknown>, errorCode?: string) => Promise<unknown>,
): Promise<Settled> {
  await sql`savepoint approval_action`.execute(trx);
  try {
    const result = await def.run(trx, row.request, { koa: ctx, approval: toView(row), approvedBy: by });
    const approved = await markDecided(trx, row.id, { status: "APPROVED", by, result: result ?? null });
    await audit(approved, 200, { result });
    return { view: toView(approved) };
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    await sql`rollback to savepoint approval_action`.execute(trx);
    const error = { code: err.code, message: err.message, details: err.details };
    const failed = await markDecided(trx, row.id, { status: "FAILED", by, result: { error } });
    await audit(failed, err.status, { error }, err.code);
    return { error: err };
  }
}

function refusal(code: string, role: Role, by: Operator, row: ApprovalRow): AppError {
  if (code === "FORBIDDEN") return forbidden(role, by.role);
  if (code === "SAME_OPERATOR")
    return approvalError("SAME_OPERATOR", "the operator who requested it may not approve it; another must", [
      { path: "operator", message: `${row.requestedBy.name} requested it` },
    ]);
  if (code === "APPROVAL_EXPIRED")
    return approvalError("APPROVAL_EXPIRED", `the approval expired at ${row.expiresAt}`, [
      { path: "expiresAt", message: row.expiresAt },
    ]);
  return approvalError("APPROVAL_DECIDED", `the approval is ${row.status} already`, [
    { path: "status", message: `is ${row.status}`, status: row.status },
  ]);
}
