import { createHash } from "node:crypto";
import type { Context } from "koa";
import { type Kysely, sql, type Transaction } from "kysely";
import { z } from "zod";
import { type PeriodicJob, periodic } from "../periodic.ts";
import { AppError } from "./errors.ts";

/**
 * `Idempotency-Key` on a public POST that creates something (the IETF httpapi draft, as Stripe does it).
 * Keys are scoped to the caller (a hash of its API key; one scope when the API needs none). The first
 * request with a key inserts the key's row in the transaction that creates the resource and writes its
 * answer into that row before committing: a crash leaves neither, and a refused request (its transaction
 * rolled back) leaves the key free for a corrected retry. A second request with the key then:
 *
 * - same method, path and request: answers what the first answered, same status and body, with
 *   `Idempotent-Replayed: true`;
 * - another request: 422 IDEMPOTENCY_KEY_REUSED;
 * - while the first is still running: waits on the row's lock (the unique index) and replays its answer,
 *   or, past `lockTimeoutMs`, 409 IDEMPOTENCY_KEY_IN_USE.
 *
 * So two concurrent requests with one key create one thing. Rows are kept 24 hours (`purgeIdempotencyKeys`).
 */

/** The header's value: what the schema of a route's headers uses. */
export const idempotencyKeyHeader = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, "must be 1 to 255 visible ASCII characters")
  .optional()
  .describe(
    "makes the request safe to retry: the same key with the same body answers what the first answered " +
      "(with Idempotent-Replayed: true); kept at least 24 hours",
  );

/** How long a key is kept at least: the contract's promise. */
export const IDEMPOTENCY_RETENTION_HOURS = 24;

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** What was created, kept on the key's row (an operator's lookup; answers of keys carried over). */
  resourceId?: string;
}

export interface IdempotencyOptions {
  /** How long a request waits for another one holding its key before it is told 409; 10 s by default. */
  lockTimeoutMs?: number;
  /** The body of a stored answer kept without one (keys carried over from an older table): read afresh. */
  reload?: (resourceId: string) => Promise<unknown>;
}

export interface Outcome {
  answer: Answer;
  /** True when this request only repeated an earlier answer: nothing was created, nothing to wake. */
  replayed: boolean;
}

interface KeyRow {
  scope: string;
  method: string;
  path: string;
  request_hash: string;
  status: number | null;
  response_body: string | null;
  response_headers: Record<string, string>;
  resource_id: string | null;
}

/** The caller's scope, set by the API-key middleware: a hash of its key, or "" when keys are off. */
export const callerScope = (ctx: Context): string => (ctx.state.callerScope as string | undefined) ?? "";

/**
 * The Idempotency-Key layer over one database, which must have the `idempotency_keys` table
 * (`db/<service>/…_idempotency_keys.sql`). `run` creates through `create`, in a transaction, and
 * renders the answer on `ctx`; without a key it simply runs `create` in a transaction.
 */
export function idempotency<DB>(db: Kysely<DB>, opts: IdempotencyOptions = {}) {
  const lockTimeoutMs = Math.max(1, Math.trunc(opts.lockTimeoutMs ?? 10_000));

  async function run(
    ctx: Context,
    request: { key: string | undefined; input: unknown },
    create: (trx: Transaction<DB>) => Promise<Answer>,
  ): Promise<Outcome> {
    if (!request.key) return render(ctx, { answer: await db.transaction().execute(create), replayed: false });
    const id = { scope: callerScope(ctx), key: request.key, method: ctx.method, path: ctx.path };
    const hash = requestHash(request.input);
    // Most repeats find a finished row and never open a transaction.
    const prior = await findKey(db, id.scope, id.key);
    if (prior) return render(ctx, await replay(prior, id, hash, opts.reload));
    let outcome: Outcome | KeyRow;
    try {
      outcome = await db.transaction().execute((trx) => createOnce(trx, id, hash, lockTimeoutMs, create));
    } catch (err) {
      if ((err as { code?: string })?.code === LOCK_NOT_AVAILABLE) {
        throw new AppError("IDEMPOTENCY_KEY_IN_USE", "a request with this Idempotency-Key is still being processed", [
          { path: "Idempotency-Key", message: "in use by a request not finished yet; retry shortly" },
        ]);
      }
      throw err;
    }
    return render(ctx, "replayed" in outcome ? outcome : await replay(outcome, id, hash, opts.reload));
  }

  return { run };
}

interface KeyId {
  scope: string;
  key: string;
  method: string;
  path: string;
}

/**
 * Takes the key and creates, writing the answer into the key's row; or, when another request took the key
 * first, answers that request's row (after waiting for it to commit) without creating anything.
 */
async function createOnce<DB>(
  trx: Transaction<DB>,
  id: KeyId,
  hash: string,
  lockTimeoutMs: number,
  create: (trx: Transaction<DB>) => Promise<Answer>,
): Promise<Outcome | KeyRow> {
  await sql`select set_config('lock_timeout', ${`${lockTimeoutMs}ms`}, true)`.execute(trx);
  // Waits while another transaction holds this key uncommitted; inserts nothing if it committed.
  const inserted = await sql<{ key: string }>`
    insert into idempotency_keys (scope, key, method, path, request_hash)
    values (${id.scope}, ${id.key}, ${id.method}, ${id.path}, ${hash})
    on conflict (scope, key) do nothing
    returning key`.execute(trx);
  if (inserted.rows.length === 0) {
    const winner = await findKey(trx, id.scope, id.key);
    if (!winner) throw new Error("idempotency key conflicted but is not there");
    return winner;
  }
  await sql`select set_config('lock_timeout', '0', true)`.execute(trx);
  const answer = await create(trx);
  await sql`
    update idempotency_keys set
      status = ${answer.status},
      response_body = ${JSON.stringify(answer.body)},
      response_headers = ${JSON.stringify(answer.headers ?? {})}::jsonb,
      resource_id = ${answer.resourceId ?? null}
    where scope = ${id.scope} and key = ${id.key}`.execute(trx);
  return { answer, replayed: false };
}

async function replay(
  row: KeyRow,
  id: { method: string; path: string },
  hash: string,
  reload: IdempotencyOptions["reload"],
): Promise<Outcome> {
  if (row.method !== id.method || row.path !== id.path || row.request_hash !== hash) {
    throw new AppError("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with another request", [
      { path: "Idempotency-Key", message: "already used with another method, path or body" },
    ]);
  }
  let body: unknown = row.response_body === null ? undefined : JSON.parse(row.response_body);
  if (body === undefined && row.resource_id !== null && reload) body = await reload(row.resource_id);
  const answer = { status: row.status ?? 500, body, headers: row.response_headers };
  return { answer, replayed: true };
}

function render(ctx: Context, outcome: Outcome): Outcome {
  const { answer, replayed } = outcome;
  ctx.status = answer.status;
  for (const [name, value] of Object.entries(answer.headers ?? {})) ctx.set(name, value);
  if (replayed) ctx.set("Idempotent-Replayed", "true");
  ctx.body = answer.body;
  return outcome;
}

const LOCK_NOT_AVAILABLE = "55P03";

async function findKey<DB>(db: Kysely<DB>, scope: string, key: string): Promise<KeyRow | undefined> {
  // A caller's own key first; a key from before callers were told apart ('*') matches anyone.
  const { rows } = await sql<KeyRow>`
    select scope, method, path, request_hash, status, response_body, response_headers, resource_id
    from idempotency_keys
    where key = ${key} and scope in (${scope}, '*')
    order by scope = '*'
    limit 1`.execute(db);
  return rows[0];
}

/** Deletes the keys older than the retention; answers how many. */
export async function purgeIdempotencyKeys<DB>(
  db: Kysely<DB>,
  olderThanHours = IDEMPOTENCY_RETENTION_HOURS,
): Promise<number> {
  const r = await sql`
    delete from idempotency_keys where created_at < now() - make_interval(hours => ${olderThanHours})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/**
 * The request's fingerprint, taken from the validated and normalised input: "300000" and "300000.00",
 * or a passport written with spaces, are the same request.
 */
export function requestHash(input: unknown): string {
  return createHash("sha256").update(canonicalJson(input)).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * Purges keys past the retention every `everyMs` (hourly), starting right away; the service kit runs it
 * beside every service. Several instances purging at once only delete the same rows.
 */
export function idempotencyPurger<DB>(
  db: Kysely<DB>,
  log: { warn(msg: string, fields?: Record<string, unknown>): void },
  everyMs = 3_600_000,
): PeriodicJob {
  return periodic("idempotency key purge", () => purgeIdempotencyKeys(db), log, everyMs);
}
