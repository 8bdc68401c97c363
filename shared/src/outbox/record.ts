import { type Kysely, sql, type Transaction } from "kysely";
import { withRequestId } from "../context.ts";
import { type BackoffPolicy, backoffDelayMs } from "./backoff.ts";
import type { ClaimedMessage } from "./claim.ts";
import { byAggregate } from "./receiver.ts";
import type { Outcomes } from "./send.ts";
import { summarizeMessages } from "./summaries.ts";
import type { WireMessage } from "./types.ts";

// The relay imports these with the recording; the statements live on their own in summaries.ts.
export { repairSummaries, summarizeMessages } from "./summaries.ts";

export type AnswerHandler<DB> = (trx: Transaction<DB>, message: WireMessage, result: unknown) => Promise<void>;

/**
 * An AnswerHandler for all of a batch's acknowledged messages at once, in aggregate-id order: set-based
 * statements instead of a few per answer. If it throws, the batch is recorded again with the
 * AnswerHandler for each answer under a savepoint, so both must do the same.
 */
export type AnswersHandler<DB> = (
  trx: Transaction<DB>,
  answers: Array<{ message: WireMessage; result: unknown }>,
) => Promise<void>;

/** What the relay runs for acknowledged messages: one at a time, and optionally all at once first. */
export interface AnswerHandlers<DB> {
  one: AnswerHandler<DB>;
  many?: AnswersHandler<DB>;
}

export interface RecordPolicy extends BackoffPolicy {
  maxAttempts: number;
}

export interface RecordSummary {
  delivered: number;
  failed: number;
  dead: Array<{ id: string; error: string }>;
  /** Rows no longer ours: their lease ran out and another relay claimed them. Nothing was written. */
  stale: number;
  /** The soonest retry just scheduled, so the relay can wake for it without waiting for the sweep. */
  soonestRetryMs?: number;
  /** A message acknowledged was holding back a later one of its aggregate, due now: claim again. */
  successors: boolean;
}

interface Change {
  id: string;
  destination: string;
  claims: number;
  attempts: number;
  ok: boolean;
  dead: boolean;
  error: string | null;
  delayMs: number;
}

const MAX_ERROR_LENGTH = 2_000;

/**
 * Records a batch's answers, all to one destination: one UPDATE … FROM unnest of the deliveries for the
 * whole batch (delivered, or attempts kept with last_error and the next try after a backoff, or dead after
 * the last attempt), then one UPDATE of their messages' summaries (summarize). With `onAnswer`,
 * it runs for each acknowledged row in the same transaction as that UPDATE, so the row is marked
 * delivered if and only if its answer was applied; one that throws turns its row back into a retry and
 * leaves the rest of the batch recorded (the batch is then recorded again, each call under a savepoint).
 *
 * Every write is fenced on `attempts`, the count the claim set: if the lease ran out and another relay
 * claimed the row since, this relay's answer is stale and changes nothing.
 */
export async function recordOutcomes<DB>(
  db: Kysely<DB>,
  messages: readonly ClaimedMessage[],
  outcomes: Outcomes,
  policy: RecordPolicy,
  handlers?: AnswerHandlers<DB>,
  random: () => number = Math.random,
): Promise<RecordSummary> {
  const changes = messages.map((m) => {
    const o = outcomes.get(m.id);
    if (o?.outcome === "ok") return { ...key(m), attempts: m.attempts, ok: true, dead: false, error: null, delayMs: 0 };
    const error = o ? `${o.outcome} ${o.error.code}: ${o.error.message}` : "no outcome";
    return failure(m, error, policy, random);
  });
  // Without onAnswer the batch is one statement, atomic on its own: no transaction round trips.
  if (!handlers?.one) {
    const applied = await applyChanges(db, changes, false);
    const written = new Set(applied.written);
    await summarizeMessages(db, [...written]);
    return summarize(changes, written, [], applied.successors);
  }
  const batch: Batch = { messages, outcomes, changes, policy, random };
  // First without savepoints (two statements fewer per row); if an answer throws, that attempt is rolled
  // back whole and the batch recorded again with a savepoint per answer, the one that threw turned into a
  // retry without being run again.
  const threw = new Map<string, unknown>();
  try {
    return await db.transaction().execute((trx) => recordAnswers(trx, batch, handlers, threw));
  } catch (err) {
    if (err !== RETRY_WITH_SAVEPOINTS) throw err;
  }
  return db.transaction().execute((trx) => recordAnswersWithSavepoints(trx, batch, handlers.one, threw));
}

/** One batch's claimed rows, their outcomes, and the changes those make. */
interface Batch {
  messages: readonly ClaimedMessage[];
  outcomes: Outcomes;
  changes: Change[];
  policy: RecordPolicy;
  random: () => number;
}

/** Throws RETRY_WITH_SAVEPOINTS if an answer throws, having put in `threw` the one that did if known. */
async function recordAnswers<DB>(
  trx: Transaction<DB>,
  { messages, outcomes, changes }: Batch,
  handlers: AnswerHandlers<DB>,
  threw: Map<string, unknown>,
): Promise<RecordSummary> {
  const applied = await applyChanges(trx, changes, false);
  const written = new Set(applied.written);
  const acknowledged = byAggregate(messages).filter((m) => outcomes.get(m.id)?.outcome === "ok" && written.has(m.id));
  if (handlers.many) {
    // The summaries first: the answers lock the service's own rows (PE's agreements), which its other
    // work waits for, so they are taken last and held only until the commit.
    await summarizeMessages(trx, [...written]);
    if (acknowledged.length > 0) {
      const answers = acknowledged.map((m) => ({ message: toWire(m), result: resultOf(outcomes, m) }));
      await handlers.many(trx, answers).catch(() => {
        throw RETRY_WITH_SAVEPOINTS;
      });
    }
    return summarize(changes, written, [], applied.successors);
  }
  for (const m of acknowledged) {
    const o = outcomes.get(m.id);
    if (o?.outcome !== "ok") continue;
    try {
      await withRequestId(m.requestId, () => handlers.one(trx, toWire(m), o.result));
    } catch (err) {
      threw.set(m.id, err);
      throw RETRY_WITH_SAVEPOINTS;
    }
  }
  await summarizeMessages(trx, [...written]);
  return summarize(changes, written, [], applied.successors);
}

async function recordAnswersWithSavepoints<DB>(
  trx: Transaction<DB>,
  { messages, outcomes, changes, policy, random }: Batch,
  onAnswer: AnswerHandler<DB>,
  threw: Map<string, unknown>,
): Promise<RecordSummary> {
  const applied = await applyChanges(trx, changes, false);
  const written = new Set(applied.written);
  const redo: Change[] = [];
  // In aggregate-id order, as the peer's receiver applies its items: see byAggregate.
  for (const m of byAggregate(messages)) {
    const o = outcomes.get(m.id);
    if (o?.outcome !== "ok" || !written.has(m.id)) continue;
    if (threw.has(m.id)) {
      redo.push(failure(m, `onAnswer failed: ${describe(threw.get(m.id))}`, policy, random));
      continue;
    }
    await sql`savepoint outbox_answer`.execute(trx);
    try {
      await withRequestId(m.requestId, () => onAnswer(trx, toWire(m), o.result));
      await sql`release savepoint outbox_answer`.execute(trx);
    } catch (err) {
      await sql`rollback to savepoint outbox_answer`.execute(trx);
      redo.push(failure(m, `onAnswer failed: ${describe(err)}`, policy, random));
    }
  }
  if (redo.length > 0) await applyChanges(trx, redo, true);
  await summarizeMessages(trx, [...written]);
  return summarize(changes, written, redo, applied.successors);
}

const resultOf = (outcomes: Outcomes, m: ClaimedMessage) => {
  const o = outcomes.get(m.id);
  return o?.outcome === "ok" ? o.result : undefined;
};

const describe = (err: unknown) => (err as Error)?.message ?? String(err);

/** Thrown to roll back the attempt without savepoints; never leaves recordOutcomes. */
const RETRY_WITH_SAVEPOINTS = new Error("an answer failed: record again with savepoints");

function summarize(
  changes: readonly Change[],
  written: Set<string>,
  redo: readonly Change[],
  successors: boolean,
): RecordSummary {
  const final = new Map(changes.map((c) => [c.id, c]));
  for (const c of redo) final.set(c.id, c);
  const mine = [...final.values()].filter((c) => written.has(c.id));
  const retrying = mine.filter((c) => !c.ok && !c.dead);
  return {
    delivered: mine.filter((c) => c.ok).length,
    failed: retrying.length,
    dead: mine.filter((c) => c.dead).map((c) => ({ id: c.id, error: c.error ?? "" })),
    stale: changes.length - written.size,
    soonestRetryMs: retrying.length > 0 ? Math.min(...retrying.map((c) => c.delayMs)) : undefined,
    successors,
  };
}

const key = (m: ClaimedMessage) => ({ id: m.id, destination: m.destination ?? "", claims: m.claims ?? m.attempts });

function failure(m: ClaimedMessage, error: string, policy: RecordPolicy, random: () => number): Change {
  // A probe that went before the delivery was due used no attempt: it keeps the schedule it had.
  if (m.counted === false) {
    const delayMs = Math.max(0, (m.dueAt?.getTime() ?? Date.now()) - Date.now());
    return {
      ...key(m),
      attempts: m.attempts,
      ok: false,
      dead: false,
      error: error.slice(0, MAX_ERROR_LENGTH),
      delayMs,
    };
  }
  const dead = m.attempts >= policy.maxAttempts;
  return {
    ...key(m),
    attempts: m.attempts,
    ok: false,
    dead,
    error: error.slice(0, MAX_ERROR_LENGTH),
    delayMs: dead ? 0 : backoffDelayMs(m.attempts, policy, random),
  };
}

/**
 * `reopen` is for rows this transaction itself just marked delivered and whose answer then failed:
 * they are no longer pending, but they are still ours (we hold their row locks). Answers the rows written,
 * and whether a delivery just acknowledged has a successor: a later message of its aggregate still pending
 * to the same destination, which it held back and which is due now.
 */
async function applyChanges<DB>(
  db: Kysely<DB>,
  changes: readonly Change[],
  reopen: boolean,
): Promise<{ written: string[]; successors: boolean }> {
  if (changes.length === 0) return { written: [], successors: false };
  const { rows } = await sql<{ id: string; successor: boolean }>`
    update outbox_deliveries o
    set delivered_at = case when c.ok then now() end,
        dead_at = case when c.dead then now() end,
        last_error = coalesce(c.error, o.last_error),
        leased_until = null,
        next_attempt_at = case when c.ok then o.next_attempt_at
                               else now() + c.delay_ms * interval '1 millisecond' end
    from unnest(
      ${changes.map((c) => c.id)}::bigint[],
      ${changes.map((c) => c.destination)}::text[],
      ${changes.map((c) => c.claims)}::int[],
      ${changes.map((c) => c.ok)}::bool[],
      ${changes.map((c) => c.dead)}::bool[],
      ${changes.map((c) => c.error)}::text[],
      ${changes.map((c) => c.delayMs)}::int[]
    ) as c(id, destination, claims, ok, dead, error, delay_ms)
    where o.message_id = c.id and o.destination = c.destination and o.claims = c.claims
      and (${reopen} or (o.delivered_at is null and o.dead_at is null))
    returning o.message_id::text as id,
      c.ok and exists (
        select 1 from outbox_deliveries e
        where e.destination = o.destination and e.aggregate_id = o.aggregate_id
          and e.delivered_at is null and e.dead_at is null and e.message_id > o.message_id) as successor
  `.execute(db);
  return { written: rows.map((r) => r.id), successors: rows.some((r) => r.successor) };
}

/** A claimed row as the wire carries it: the relay's batches and `onAnswer` see it so. */
export function toWire(m: ClaimedMessage): WireMessage {
  return {
    id: m.id,
    topic: m.topic,
    aggregateId: m.aggregateId,
    payload: JSON.parse(m.payloadJson),
    createdAt: m.createdAt.toISOString(),
    ...(m.requestId && { requestId: m.requestId }),
  };
}
