import type pg from "pg";
import { z } from "zod";
import { cursorCodec, pageLimit } from "../http/cursor.ts";

// PostgreSQL refuses NUL in text: a filter with control characters is a 400, never a failed query.
const plain = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
    .regex(/^[^\u0000-\u001f\u007f]+$/, "must not contain control characters");

export const auditQuery = z.strictObject({
  operator: plain(200).optional().describe("an operator's id or name"),
  target: plain(300).optional().describe("`agreement:<id>`, `product:<code>`, `approval:<id>`…"),
  action: plain(200).optional().describe("`agreement.disburse`, `product.create`…"),
  since: z.iso.datetime({ offset: true }).optional().describe("only rows at or after this instant"),
  after: z.string().max(100).optional().describe("the `nextCursor` of the previous page"),
  limit: pageLimit(),
});
export type AuditQuery = z.output<typeof auditQuery>;

export const auditCursor = cursorCodec(z.tuple([z.string().regex(/^\d{1,18}$/)]));

export interface AuditEntry {
  id: string;
  at: string;
  operator: { id: string | null; name: string; role: string | null };
  tokenHint: string | null;
  action: string;
  target: string | null;
  requestId: string | null;
  outcome: string;
  status: number;
  errorCode: string | null;
  summary: Record<string, unknown>;
}

interface Stored {
  id: string;
  at: Date;
  operator_id: string | null;
  operator_name: string;
  role: string | null;
  token_hint: string | null;
  action: string;
  target: string | null;
  request_id: string | null;
  outcome: string;
  status: number;
  error_code: string | null;
  summary: Record<string, unknown>;
}

/**
 * One page of the trail, newest first (by id: the order rows were appended in; the column, not the text
 * selected under its name, which would sort 9 after 10).
 */
export async function listAudit(
  pool: pg.Pool,
  q: AuditQuery,
): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const after = q.after === undefined ? null : auditCursor.decode(q.after)[0];
  const { rows } = await pool.query<Stored>(
    `select id::text, at, operator_id, operator_name, role, token_hint, action, target, request_id, outcome,
            status, error_code, summary
     from audit_log
     where ($1::text is null or operator_id = $1 or operator_name = $1)
       and ($2::text is null or target = $2)
       and ($3::text is null or action = $3)
       and ($4::bigint is null or id < $4::bigint)
       and ($5::timestamptz is null or at >= $5::timestamptz)
     order by audit_log.id desc limit $6`,
    [q.operator ?? null, q.target ?? null, q.action ?? null, after, q.since ?? null, q.limit + 1],
  );
  const page = rows.slice(0, q.limit).map(toEntry);
  const last = page.at(-1);
  return { items: page, nextCursor: rows.length > q.limit && last ? auditCursor.encode([last.id]) : null };
}

function toEntry(r: Stored): AuditEntry {
  return {
    id: r.id,
    at: r.at.toISOString(),
    operator: { id: r.operator_id, name: r.operator_name, role: r.role },
    tokenHint: r.token_hint,
    action: r.action,
    target: r.target,
    requestId: r.request_id,
    outcome: r.outcome,
    status: r.status,
    errorCode: r.error_code,
    summary: r.summary,
  };
}
