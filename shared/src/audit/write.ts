import type { Context } from "koa";
import { CompiledQuery, type Kysely } from "kysely";
import { currentRequestId } from "../context.ts";
import { maskPersonalData } from "../mask.ts";
import { clean, jsonSafe, type Outcome, outcomeOf } from "./plan.ts";
import { type Operator, operatorOf } from "./types.ts";

/**
 * Where an audit row is written: a Kysely transaction (a handler's), a Kysely database, or a pg client or
 * pool (the outbox's requeue runs on a pg client).
 */
export type AuditDb =
  | Pick<Kysely<unknown>, "executeQuery">
  | { query: (text: string, values: unknown[]) => Promise<unknown> };

export interface AuditRow {
  operator: Pick<Operator, "id" | "name"> & { role: string | null };
  tokenHint: string | null;
  action: string;
  target: string | null;
  requestId: string | null;
  outcome: Outcome;
  status: number;
  errorCode: string | null;
  summary: Record<string, unknown>;
}

const INSERT = `insert into audit_log
  (operator_id, operator_name, role, token_hint, action, target, request_id, outcome, status, error_code, summary)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb) returning id::text`;

/** Appends one row; the summary is masked (mask.ts) and made safe for jsonb first. */
export async function insertAuditRow(db: AuditDb, row: AuditRow): Promise<string> {
  const values = [
    row.operator.id,
    clean(row.operator.name),
    row.operator.role,
    row.tokenHint,
    clean(row.action),
    row.target === null ? null : clean(row.target, 300),
    row.requestId,
    row.outcome,
    row.status,
    row.errorCode === null ? null : clean(row.errorCode, 100),
    JSON.stringify(jsonSafe(maskPersonalData(row.summary))),
  ];
  if ("executeQuery" in db) {
    // sql-safe: INSERT is this file's constant text; every value is a bound parameter
    const r = await db.executeQuery<{ id: string }>(CompiledQuery.raw(INSERT, values));
    return r.rows[0]!.id;
  }
  const r = (await db.query(INSERT, values)) as { rows: Array<{ id: string }> };
  return r.rows[0]!.id;
}

export interface AuditedAction {
  /** What was done, `<resource>.<verb>`: `agreement.disburse`, `product.create`, `business-date.move`. */
  action: string;
  /** What it was done to, `<resource>:<id>`: `agreement:6f1c…`. */
  target: string;
  /** What changed; personal fields are masked on the way in, so pass the facts, never a secret. */
  summary?: Record<string, unknown>;
  /** The answer's status; 200 unless given. A 4xx committed on purpose (an approval found expired) is FAILED. */
  status?: number;
  /** The error code of such a 4xx. */
  errorCode?: string;
}

interface AuditState {
  /** The row the handler wrote (auditAction), checked by the middleware when the answer is an error. */
  rowId?: string;
  /** The action and target the middleware's row names, should the handler refuse after all. */
  label?: { action: string; target: string };
}

export const auditState = (ctx: Context): AuditState => {
  ctx.state.audit ??= {};
  return ctx.state.audit as AuditState;
};

/**
 * Records the operator's action in the handler's own transaction, so the row commits with the action or
 * not at all, and marks the request as audited (the middleware writes no second row). A request without an
 * operator (a client's, with an API key) is not an operator action: nothing is written, `undefined` back.
 */
export async function auditAction(trx: AuditDb, ctx: Context, a: AuditedAction): Promise<string | undefined> {
  describeAudit(ctx, a);
  const operator = operatorOf(ctx);
  if (!operator) return undefined;
  const id = await insertAuditRow(trx, {
    operator,
    tokenHint: operator.tokenId,
    action: a.action,
    target: a.target,
    requestId: currentRequestId() ?? null,
    outcome: outcomeOf(a.status ?? 200),
    status: a.status ?? 200,
    errorCode: a.errorCode ?? null,
    summary: a.summary ?? {},
  });
  auditState(ctx).rowId = id;
  return id;
}

/**
 * Names the action and target of the request before its handler may refuse it (a 404, a 409), so the
 * middleware's row for the refusal says what was asked, not just the method and path.
 */
export function describeAudit(ctx: Context, a: { action: string; target: string }): void {
  auditState(ctx).label = { action: a.action, target: a.target };
}
