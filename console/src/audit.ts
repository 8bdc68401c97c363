import { optional, type Service } from "./api.ts";

/** One row of a service's audit trail, as the console shows it. */
export interface AuditEntry {
  id: string;
  at: string;
  operator: string;
  role: string | null;
  action: string;
  target: string | null;
  requestId: string | null;
  /** ALLOWED, REFUSED, FAILED… */
  outcome: string;
  status: number | null;
  /** The refusal's code (FORBIDDEN, SAME_OPERATOR…), when it was one. */
  errorCode: string | null;
  summary: unknown;
}

export interface AuditFilter {
  operator?: string;
  action?: string;
  target?: string;
}

const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/**
 * The only place that reads the field names of `GET /admin/audit`'s items (audit trail, issue 31): a
 * rename on the service's side is fixed here. A refusal before the operator is known has no name.
 */
export function toAuditEntry(raw: Record<string, unknown>): AuditEntry {
  // `operator: {id, name, role}` as the kit answers; flat `operatorName`/`role` read too.
  const op = (typeof raw.operator === "object" && raw.operator !== null ? raw.operator : {}) as Record<string, unknown>;
  return {
    id: String(raw.id),
    at: String(raw.at ?? ""),
    operator: str(op.name ?? raw.operatorName) ?? "(unknown)",
    role: str(op.role ?? raw.role),
    action: String(raw.action ?? ""),
    target: str(raw.target),
    requestId: str(raw.requestId),
    outcome: String(raw.outcome ?? ""),
    status: typeof raw.status === "number" ? raw.status : null,
    errorCode: str(raw.errorCode),
    summary: raw.summary ?? null,
  };
}

export interface AuditPage {
  items: AuditEntry[];
  nextCursor: string | null;
}

/** One page of a service's trail, newest first; null where the service has no audit trail (404). */
export async function readAudit(service: Service, f: AuditFilter, after: string | null, limit = 25) {
  const q = new URLSearchParams({ limit: String(limit) });
  for (const k of ["operator", "action", "target"] as const) {
    const v = f[k]?.trim();
    if (v) q.set(k, v);
  }
  if (after) q.set("after", after);
  const page = await optional<{ items: Array<Record<string, unknown>>; nextCursor?: string | null }>(
    service,
    `/admin/audit?${q}`,
  );
  return page && { items: page.items.map(toAuditEntry), nextCursor: page.nextCursor ?? null };
}

/** A summary in one line: `{"from":"APPROVED","to":"WITHDRAWN"}` reads as `from APPROVED, to WITHDRAWN`. */
export function summaryText(s: unknown): string {
  if (s === null || s === undefined) return "";
  if (typeof s !== "object") return String(s);
  return Object.entries(s as Record<string, unknown>)
    .map(([k, v]) => `${k} ${typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(", ");
}
