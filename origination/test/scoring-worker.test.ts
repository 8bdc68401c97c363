import { setTimeout as sleep } from "node:timers/promises";
import type { TestDatabase } from "@loans/db/testing";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadOriginationConfig } from "../src/config.ts";
import { startOrigination } from "../src/service.ts";
import {
  type AgreementPayload,
  agreement,
  message,
  type Origination,
  sendIntake,
  startTestOrigination,
  waitFor,
  waitForTwoBlocked,
} from "./helpers.ts";

// The scoring worker takes IN_PROGRESS applications straight from the table (scoring.worker.ts). Its poll
// runs every 2 s; the tests below insert applications without an intake, so only a poll or an explicit
// wake scores them.
let database: TestDatabase;
let origination: Origination;

beforeAll(async () => {
  ({ database, service: origination } = await startTestOrigination());
});
afterAll(async () => {
  await origination?.stop();
  await database?.drop();
});

/** IN_PROGRESS applications as intake stores them, in one statement, without waking the worker. */
async function insertWaiting(payloads: AgreementPayload[]) {
  await origination.db
    .insertInto("applications")
    .values(
      payloads.map((p) => ({
        agreement_id: p.agreementId,
        client_id: p.clientId,
        product_code: p.productCode,
        birth_date: p.birthDate,
        monthly_income: String(p.monthlyIncome),
        principal: String(p.principal),
        term_months: p.termMonths,
        interest_rate: String(p.interestRate),
        monthly_payment: String(p.monthlyPayment),
        last_due_date: p.lastDueDate,
        payload_hash: "inserted by the test",
      })),
    )
    .execute();
}

const rowsOf = (ids: string[], db = origination.db) =>
  db
    .selectFrom("applications")
    .select(["agreement_id", "client_id", "status", "created_at", "decided_at"])
    .where("agreement_id", "in", ids)
    .execute();

const statusOf = async (id: string) => (await rowsOf([id]))[0]?.status;

/** How many application.decided rows each agreement has in the outbox. */
async function decisionsSent(ids: string[]): Promise<Map<string, number>> {
  const { rows } = await sql<{ id: string; n: number }>`
    select aggregate_id as id, count(*)::int as n from outbox
    where topic = 'application.decided' and aggregate_id = any(${ids}::text[]) group by aggregate_id`.execute(
    origination.db,
  );
  return new Map(rows.map((r) => [r.id, r.n]));
}

const allDecided = (ids: string[]) =>
  waitFor(
    async () => (await rowsOf(ids)).filter((r) => r.status !== "IN_PROGRESS").length === ids.length,
    `${ids.length} decisions`,
  );

describe("the scoring worker, with the applications table as its queue", () => {
  it("two instances on one database share the work: no application decided twice, a client's two still one after the other", async () => {
    const second = await startOrigination(
      loadOriginationConfig({
        ORIGINATION_DATABASE_URL: database.url,
        ORIGINATION_PORT: "0",
        LOG_LEVEL: "silent",
        PE_URL: "http://127.0.0.1:9",
      }),
    );
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      // 150 clients with two applications each, 30000 of 100000: either alone passes, both do not. All
      // arrive in one statement (one created_at), so a fetch takes them in agreement order and a client's
      // two often land in two batches, two instances.
      const payloads = Array.from({ length: 150 }, () => {
        const p = { clientId: crypto.randomUUID(), monthlyIncome: "100000.00", monthlyPayment: "30000.00" };
        return [agreement(p), agreement(p)];
      }).flat();
      const ids = payloads.map((p) => p.agreementId);
      // A barrier: with the outbox locked, a batch that has decided cannot write its outbox rows and
      // commit. Both instances are woken, and the test waits until both hold a batch at once (each
      // stuck at the barrier, or at a client lock behind the other), which their rows being skipped by
      // the other makes possible.
      await holder.query("begin");
      await holder.query("lock table outbox in share mode");
      await insertWaiting(payloads);
      origination.workers.scoring.wake();
      second.workers.scoring.wake();
      await waitForTwoBlocked(holder, "both instances to hold a batch");
      await holder.query("commit");
      await allDecided(ids);

      const sent = await decisionsSent(ids);
      expect(ids.filter((id) => sent.get(id) !== 1)).toEqual([]);
      const byClient = new Map<string, string[]>();
      for (const r of await rowsOf(ids)) byClient.set(r.client_id, [...(byClient.get(r.client_id) ?? []), r.status]);
      expect(byClient.size).toBe(150);
      for (const statuses of byClient.values()) expect(statuses.sort()).toEqual(["APPROVED", "REJECTED"]);
    } finally {
      await holder.end();
      await second.stop();
    }
  }, 60_000);

  it("an application held by a worker that was killed mid-batch is scored at the next poll", async () => {
    const held = agreement();
    await insertWaiting([held]);
    // A worker's batch in another process, which then dies: its connection holds the row's lock.
    const killed = new pg.Client({ connectionString: database.url });
    await killed.connect();
    killed.on("error", () => {});
    await killed.query("begin");
    await killed.query("select agreement_id from applications where agreement_id = $1 for update", [held.agreementId]);
    // Meanwhile the worker skips the row rather than wait for it: another application is scored at a poll.
    const other = agreement();
    await insertWaiting([other]);
    await waitFor(async () => (await statusOf(other.agreementId)) === "APPROVED", "the other application");
    expect(await statusOf(held.agreementId)).toBe("IN_PROGRESS");

    const { rows } = await killed.query<{ pid: number }>("select pg_backend_pid() as pid");
    await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(origination.db);
    await killed.end().catch(() => {});
    // No intake, no wake: the poll finds it.
    await waitFor(async () => (await statusOf(held.agreementId)) === "APPROVED", "the held application");
    expect(await decisionsSent([held.agreementId])).toEqual(new Map([[held.agreementId, 1]]));
  });

  it("a batch whose scoring fails is left to the next poll, not retried at every wake", async () => {
    const poisoned = agreement();
    await sql`
      create function poisoned_scoring() returns trigger language plpgsql as $$
      begin raise exception 'scoring poisoned by the test'; end $$`.execute(origination.db);
    await sql
      .raw(
        `create trigger poisoned_scoring before update on applications for each row
         when (new.agreement_id = '${poisoned.agreementId}') execute function poisoned_scoring()`,
      )
      .execute(origination.db);
    const warn = vi.spyOn(origination.log, "warn");
    try {
      const failures = () => warn.mock.calls.filter(([msg]) => msg === "scoring failed; left to the next poll").length;
      await insertWaiting([poisoned]);
      origination.workers.scoring.wake();
      await waitFor(async () => failures() > 0, "the batch to fail");
      const after = failures();
      for (let i = 0; i < 50; i++) {
        origination.workers.scoring.wake();
        await sleep(10);
      }
      // Half a second of wakes, no poll due yet at most once: no fetch each time.
      expect(failures()).toBeLessThanOrEqual(after + 1);
      expect(await statusOf(poisoned.agreementId)).toBe("IN_PROGRESS");
    } finally {
      await sql`drop trigger poisoned_scoring on applications`.execute(origination.db);
      await sql`drop function poisoned_scoring()`.execute(origination.db);
      warn.mockRestore();
    }
    // Nothing lost: the rolled-back application is taken again by a poll.
    await waitFor(async () => (await statusOf(poisoned.agreementId)) === "APPROVED", "the poisoned application");
    expect(await decisionsSent([poisoned.agreementId])).toEqual(new Map([[poisoned.agreementId, 1]]));
  });
});

describe("SCORING_DELAY_MS", () => {
  let delayedDatabase: TestDatabase;
  let delayed: Origination;
  beforeAll(async () => {
    ({ database: delayedDatabase, service: delayed } = await startTestOrigination({ SCORING_DELAY_MS: "1500" }));
  });
  afterAll(async () => {
    await delayed?.stop();
    await delayedDatabase?.drop();
  });

  it("scores an application no sooner than that long after it arrived, and not much later", async () => {
    const first = agreement();
    const second = agreement();
    await sendIntake(delayed.url, [message(first)]);
    await sleep(300);
    await sendIntake(delayed.url, [message(second)]);
    const ids = [first.agreementId, second.agreementId];
    expect((await rowsOf(ids, delayed.db)).map((r) => r.status)).toEqual(["IN_PROGRESS", "IN_PROGRESS"]);
    await waitFor(async () => (await rowsOf(ids, delayed.db)).every((r) => r.status === "APPROVED"), "both decisions");
    for (const r of await rowsOf(ids, delayed.db)) {
      const waited = r.decided_at!.getTime() - r.created_at.getTime();
      expect(waited).toBeGreaterThanOrEqual(1500);
      // Woken once the delay has passed, not left to whichever poll comes after it.
      expect(waited).toBeLessThan(1500 + 1000);
    }
  });
});
