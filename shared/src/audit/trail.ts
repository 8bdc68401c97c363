import type { Context, Middleware } from "koa";
import type pg from "pg";
import { currentRequestId } from "../context.ts";
import { bearer } from "../http/api-keys.ts";
import type { Logger } from "../log.ts";
import { auditPlan, clean, maskToken, outcomeOf } from "./plan.ts";
import { operatorOf } from "./types.ts";
import { type AuditRow, auditState, insertAuditRow } from "./write.ts";

/**
 * The audit trail's safety net, placed outside the error renderer (so it sees the final status and error
 * code): after the answer is decided, writes the one row of an operator's request its handler did not
 * record, and of every refusal for credentials (plan.ts says which). It never changes the answer: a row
 * that cannot be written is logged as an error.
 */
export function auditTrail(deps: { pool: pg.Pool; log?: Logger }): Middleware {
  return async (ctx, next) => {
    await next();
    try {
      await record(ctx, deps.pool);
    } catch (err) {
      deps.log?.error("audit row not written", { method: ctx.method, path: clean(ctx.path), err });
    }
  };
}

async function record(ctx: Context, pool: pg.Pool): Promise<void> {
  const state = auditState(ctx);
  const plan = auditPlan({
    method: ctx.method,
    path: ctx.path,
    status: ctx.status,
    hasOperator: operatorOf(ctx) !== undefined,
    handlerRow: state.rowId !== undefined,
  });
  if (plan === "skip") return;
  if (plan === "verify") {
    // The handler's row exists only if its transaction committed before the error.
    const { rowCount } = await pool.query("select 1 from audit_log where id = $1", [state.rowId]);
    if (rowCount) return;
  }
  await insertAuditRow(pool, fallbackRow(ctx));
}

function fallbackRow(ctx: Context): AuditRow {
  const operator = operatorOf(ctx);
  const { label } = auditState(ctx);
  const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
  const error = (ctx.body as { error?: { code?: unknown } } | undefined)?.error;
  const token = bearer(ctx);
  return {
    operator: operator ?? { id: null, name: "unknown", role: null },
    tokenHint: operator ? operator.tokenId : token === undefined ? null : maskToken(token),
    action: label?.action ?? `${ctx.method} ${route ? String(route) : ctx.path}`,
    target: label?.target ?? ctx.path,
    requestId: currentRequestId() ?? null,
    outcome: outcomeOf(ctx.status),
    status: ctx.status,
    errorCode: typeof error?.code === "string" ? error.code : null,
    summary: { method: ctx.method, path: clean(ctx.path) },
  };
}
