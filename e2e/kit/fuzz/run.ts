import { signRequest } from "@loans/shared/http/service-auth";
import pg from "pg";
import type { Case } from "./cases.ts";

export interface Credentials {
  apiKey: string;
  adminToken: string;
  serviceSecret: string;
}

export interface Outcome {
  status: number;
  text: string;
}

function authHeaders(c: Case, creds: Credentials): Record<string, string> {
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  if (c.auth === "none") return {};
  if (c.auth === "wrong")
    return c.op.security === "service"
      ? { "x-signature": `t=1,v1=${"0".repeat(64)}` }
      : bearer("wrong-token-0123456789");
  if (c.auth === "apiKeyOnAdmin") return bearer(creds.apiKey);
  switch (c.op.security) {
    case "service": {
      // Signed over the path as the server reads it (no query) and the exact body text.
      const path = c.url.split("?")[0]!;
      return signRequest(creds.serviceSecret, { method: c.op.method, path, body: c.body ?? "" });
    }
    case "admin":
      return bearer(creds.adminToken);
    case "apiKey":
      return bearer(creds.apiKey);
    default:
      return {};
  }
}

/** Sends one case; a request fetch refuses to build (a header it cannot carry) is null: nothing was sent. */
export async function send(base: string, c: Case, creds: Credentials): Promise<Outcome | null> {
  let request: Request;
  try {
    const body = c.op.method === "GET" || c.op.method === "HEAD" ? undefined : c.body;
    request = new Request(`${base}${c.url}`, {
      method: c.op.method,
      headers: { ...c.headers, ...authHeaders(c, creds) },
      body,
    });
  } catch {
    return null;
  }
  const r = await fetch(request, { signal: AbortSignal.timeout(15_000) });
  return { status: r.status, text: await r.text() };
}

/**
 * Whether an answer changed nothing by contract: a refusal, a read, or a signed batch every item of which
 * was answered `rejected` or `retry` (a receiver refuses an item with an outcome, not a status).
 */
export function refusedOrRead(c: Case, o: Outcome | null): boolean {
  if (o === null || o.status >= 400 || c.op.method === "GET") return true;
  if (c.op.security !== "service" || o.status !== 200) return false;
  try {
    const results = (JSON.parse(o.text) as { results?: Array<{ outcome?: string }> }).results ?? [];
    return results.every((r) => r.outcome === "rejected" || r.outcome === "retry");
  } catch {
    return false;
  }
}

/** What is wrong with an answer, or null. */
export function judge(c: Case, o: Outcome): string | null {
  if (o.status >= 500) return `answered ${o.status}`;
  if (c.auth !== "right" && c.op.security !== "none" && o.status < 400)
    return `no credential, yet answered ${o.status}`;
  if (c.auth === "right" && (o.status === 401 || o.status === 403) && c.kind !== "transport")
    return `the operation's own credential (${c.op.security}) was refused with ${o.status}`;
  if (o.status < 400) return null;
  let body: { error?: { code?: unknown; message?: unknown; details?: unknown } };
  try {
    body = JSON.parse(o.text);
  } catch {
    return `error ${o.status} with a body that is not JSON`;
  }
  const e = body?.error;
  if (typeof e?.code !== "string" || typeof e.message !== "string" || !Array.isArray(e.details))
    return `error ${o.status} not in the shape { error: { code, message, details } }`;
  return null;
}

/**
 * GET /health on every service every `everyMs`, each probe on its own: the longest answer is the liveness
 * measure (a bound the fuzz asserts, not a performance figure). A probe with no answer counts as its timeout.
 */
export function healthProber(urls: string[], everyMs = 100, timeoutMs = 5_000) {
  let max = 0;
  let probes = 0;
  let failed = 0;
  let running = true;
  const lane = async (url: string) => {
    while (running) {
      const started = performance.now();
      try {
        const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
        await r.arrayBuffer();
        if (r.status !== 200) failed++;
      } catch {
        failed++;
      }
      max = Math.max(max, performance.now() - started);
      probes++;
      await new Promise((res) => setTimeout(res, everyMs));
    }
  };
  const lanes = Promise.all(urls.map(lane));
  return {
    now: () => ({ maxMs: Math.round(max), probes, failed }),
    async stop() {
      running = false;
      await lanes;
      return { maxMs: Math.round(max), probes, failed };
    },
  };
}

/**
 * Every table of a service's database (the public schema; pg-boss's own is its workers') as a row count and
 * a sum of row hashes: an insert, a delete or an update anywhere changes it. `skip` names tables written
 * by design whatever the answer (the audit trail of a refusal).
 */
export async function stateOf(url: string, skip: readonly string[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ name: string }>(
    `select quote_ident(table_name) as name from information_schema.tables
     where table_schema = 'public' and table_type = 'BASE TABLE' and not (table_name = any($1)) order by 1`,
    [skip],
  );
  const query = rows
    .map(
      (t) =>
        `select '${t.name}' as t, count(*)::int as n, coalesce(sum(hashtext(x::text)), 0)::text as h from ${t.name} x`,
    )
    .join(" union all ");
  return {
    async snapshot(): Promise<Record<string, string>> {
      const r = await client.query<{ t: string; n: number; h: string }>(query);
      return Object.fromEntries(r.rows.map((x) => [x.t, `${x.n}:${x.h}`]));
    },
    close: () => client.end(),
  };
}

/** The tables whose state differs between two snapshots. */
export const changed = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys({ ...a, ...b }).filter((k) => a[k] !== b[k]);
