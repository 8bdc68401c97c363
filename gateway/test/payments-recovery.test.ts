import { randomUUID } from "node:crypto";
import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import { createDatabase } from "@loans/shared";
import { waitFor } from "@loans/shared/test-kit/wait";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { simulatedBank } from "../src/bank/simulated.ts";
import type { GatewayDB } from "../src/db.ts";
import { account, disbursed, finalPayment, type Gateway, pay, paymentBody, startGatewayOn } from "./helpers.ts";

// Each case stops PG half-way and starts another on the same database, as a restart would.
let database: TestDatabase;
const running = new Set<Gateway>();

beforeAll(async () => {
  database = await createTestDatabase("gateway");
});
afterAll(async () => {
  for (const g of running) await g.stop();
  await database?.drop();
});

async function start(env: Record<string, string> = {}) {
  const g = await startGatewayOn(database.url, env);
  running.add(g);
  return g;
}
async function stop(g: Gateway) {
  running.delete(g);
  await g.stop();
}

const one = async (db: Kysely<GatewayDB>, q: ReturnType<typeof sql<{ n: string }>>) =>
  Number((await q.execute(db)).rows[0]!.n);
const transfers = (db: Kysely<GatewayDB>, id: string) =>
  one(db, sql`select count(*) as n from bank.transfers where id = ${id}::uuid`);
const announced = (db: Kysely<GatewayDB>, id: string) =>
  one(db, sql`select count(*) as n from outbox where topic = 'payment.succeeded' and payload->>'paymentId' = ${id}`);

it("every bank call lost: the payment stays PROCESSING, never FAILED; once the bank answers, SUCCEEDED, one transfer", async () => {
  const first = await start();
  const { agreementId } = await disbursed(first.url);
  await stop(first);

  const lossy = await start({ BANK_ERROR_RATE: "1" });
  const { body } = await pay(lossy.url, paymentBody(agreementId));
  const waiting = await waitFor(
    async () => {
      const r = await lossy.db.selectFrom("payments").selectAll().where("id", "=", body.id).executeTakeFirstOrThrow();
      return r.bank_attempts >= 4 ? r : null;
    },
    { what: "several lost calls" },
  );
  expect(waiting).toMatchObject({ status: "PROCESSING", last_error: expect.stringContaining("unknown") });
  expect(waiting.unknown_since).not.toBeNull();
  await stop(lossy);

  const healed = await start();
  const done = await finalPayment(healed.url, body.id);
  expect(done.status).toBe("SUCCEEDED");
  expect(await transfers(healed.db, body.id)).toBe(1);
  expect(await announced(healed.db, body.id)).toBe(1);
  await stop(healed);
});

it("PG gone after the bank collected, before recording it: on restart SUCCEEDED at the bank's instant, one transfer", async () => {
  const first = await start();
  const { agreementId } = await disbursed(first.url);
  await stop(first);

  // What a crash at `after-payment-settled` leaves (GATEWAY_CRASH_AT kills the process, so it is used by the
  // end-to-end tests): the payment PROCESSING, and the bank's transfer for it settled.
  const id = randomUUID();
  const handle = createDatabase<GatewayDB>(database.url);
  try {
    await handle.db
      .insertInto("payments")
      .values({ id, agreement_id: agreementId, amount: "300.00", purpose: "REGULAR", payer_account: account() })
      .execute();
    const bank = simulatedBank(handle.db, { latency: { minMs: 0, maxMs: 0 }, failureRate: 0, errorRate: 0, seed: "t" });
    const t = await bank.submitTransfer({ id, amount: "300.00", accountNumber: account(), direction: "IN" });
    expect(t.status).toBe("SETTLED");

    const restarted = await start();
    const done = await finalPayment(restarted.url, id);
    expect(done).toMatchObject({ status: "SUCCEEDED", succeededAt: t.settledAt!.toISOString() });
    expect(await transfers(restarted.db, id)).toBe(1);
    expect(await announced(restarted.db, id)).toBe(1);
    await stop(restarted);
  } finally {
    await handle.close();
  }
});
