import { type Kysely, sql, type Transaction } from "kysely";
import type { Operator } from "../audit/types.ts";
import type { ApprovalStatus } from "./decide.ts";

/** An approval as the API shows it; a PENDING one past its expiry reads EXPIRED before anyone decides it. */
export interface ApprovalView {
  id: string;
  status: ApprovalStatus;
  action: string;
  target: string;
  request: unknown;
  requestedBy: { id: string | null; name: string; role: string };
  requestedAt: string;
  expiresAt: string;
  decidedBy: { id: string | null; name: string } | null;
  decidedAt: string | null;
  result: unknown;
}

export interface ApprovalRow extends ApprovalView {
  /** The stored status (PENDING even past expiry, until a decision marks it EXPIRED). */
  stored: ApprovalStatus;
  expired: boolean;
  /** requested_at to the microsecond, for a list's keyset (a Date would cut it to milliseconds). */
  requestedKey: string;
}

interface Stored {
  id: string;
  action: string;
  target: string;
  request: unknown;
  requested_by_id: string | null;
  requested_by_name: string;
  requested_by_role: string;
  requested_at: Date;
  expires_at: Date;
  status: ApprovalStatus;
  decided_by_id: string | null;
  decided_by_name: string | null;
  decided_at: Date | null;
  result: unknown;
  expired: boolean;
  requested_key: string;
}

const COLUMNS = sql`id::text, action, target, request, requested_by_id, requested_by_name, requested_by_role,
  requested_at, expires_at, status, decided_by_id, decided_by_name, decided_at, result,
  expires_at <= now() as expired,
  to_char(requested_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as requested_key`;

export async function insertApproval<DB>(
  trx: Transaction<DB>,
  a: {
    id: string;
    action: string;
    target: string;
    request: unknown;
    by: Operator;
    ttlHours: number;
    requestId: string | null;
  },
): Promise<ApprovalRow> {
  const { rows } = await sql<Stored>`
    insert into approvals (id, action, target, request, requested_by_id, requested_by_name, requested_by_role,
                           expires_at, request_id)
    values (${a.id}, ${a.action}, ${a.target}, ${JSON.stringify(a.request)}::jsonb, ${a.by.id}, ${a.by.name},
            ${a.by.role}, now() + make_interval(hours => ${a.ttlHours}), ${a.requestId})
    returning ${COLUMNS}`.execute(trx);
  return toRow(rows[0]!);
}

/** The approval, locked for the decision: concurrent decisions of one approval queue here. */
export async function lockApproval<DB>(trx: Transaction<DB>, id: string): Promise<ApprovalRow | undefined> {
  const { rows } = await sql<Stored>`select ${COLUMNS} from approvals where id = ${id} for update`.execute(trx);
  return rows[0] && toRow(rows[0]);
}

export async function findApproval<DB>(db: Kysely<DB>, id: string): Promise<ApprovalRow | undefined> {
  const { rows } = await sql<Stored>`select ${COLUMNS} from approvals where id = ${id}`.execute(db);
  return rows[0] && toRow(rows[0]);
}

export async function markDecided<DB>(
  trx: Transaction<DB>,
  id: string,
  d: { status: Exclude<ApprovalStatus, "PENDING">; by: Operator | null; result?: unknown },
): Promise<ApprovalRow> {
  const { rows } = await sql<Stored>`
    update approvals set status = ${d.status}, decided_by_id = ${d.by?.id ?? null},
      decided_by_name = ${d.by?.name ?? null}, decided_at = now(),
      result = ${d.result === undefined ? null : JSON.stringify(d.result)}::jsonb
    where id = ${id} and status = 'PENDING'
    returning ${COLUMNS}`.execute(trx);
  return toRow(rows[0]!);
}

/** Newest first; `status` compares the status as shown (an expired PENDING one is EXPIRED). */
export async function listApprovals<DB>(
  db: Kysely<DB>,
  q: { status?: ApprovalStatus; limit: number; after?: [string, string] },
): Promise<ApprovalRow[]> {
  const shown = sql`case when status = 'PENDING' and expires_at <= now() then 'EXPIRED' else status end`;
  const { rows } = await sql<Stored>`
    select ${COLUMNS} from approvals
    where (${q.status ?? null}::text is null or ${shown} = ${q.status ?? null}::text)
      and (${q.after?.[0] ?? null}::timestamptz is null
           or (requested_at, id) < (${q.after?.[0] ?? null}::timestamptz, ${q.after?.[1] ?? null}::uuid))
    order by approvals.requested_at desc, approvals.id desc limit ${q.limit}`.execute(db);
  return rows.map(toRow);
}

function toRow(r: Stored): ApprovalRow {
  const stored = r.status;
  const expired = Boolean(r.expired);
  return {
    id: r.id,
    status: stored === "PENDING" && expired ? "EXPIRED" : stored,
    stored,
    expired,
    requestedKey: r.requested_key,
    action: r.action,
    target: r.target,
    request: r.request,
    requestedBy: { id: r.requested_by_id, name: r.requested_by_name, role: r.requested_by_role },
    requestedAt: r.requested_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    decidedBy: r.decided_at && r.decided_by_name ? { id: r.decided_by_id, name: r.decided_by_name } : null,
    decidedAt: r.decided_at?.toISOString() ?? null,
    result: r.result,
  };
}

export function toView(r: ApprovalRow): ApprovalView {
  const { stored: _s, expired: _e, requestedKey: _k, ...view } = r;
  return view;
}
