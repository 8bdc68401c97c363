import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repairSummaries } from "../src/outbox/record.ts";
import { declareRoutes } from "../src/outbox/routing.ts";
import { type SenderEnv, startSenderEnv } from "../test-kit/sender.ts";

// A relay records a batch without onAnswer as two statements: the deliveries, then the messages'
// summaries. A SIGKILL between them (seen in the chaos soak) leaves a message pending whose deliveries
// are all done; nothing claims it again. The minute sweep repairs such summaries.
let env: SenderEnv;
beforeAll(async () => {
  env = await startSenderEnv();
  // Routes for the two destinations, as a relay declares them when it starts (no relay runs here).
  await declareRoutes(env.db, [
    { topic: "fan.out", destination: "dest-x" },
    { topic: "fan.out", destination: "dest-y" },
  ]);
});
afterAll(async () => {
  await env?.close();
});

/** Leaves messages as a relay killed after recording their deliveries, before summarising them, would. */
async function crashedAfterRecording(aggregate: string, outcome: "delivered" | "dead") {
  await env.enqueue([{ topic: "fan.out", aggregateId: aggregate, payload: {} }]);
  const [row] = (await env.rows()).filter((r) => r.aggregate_id === aggregate);
  await sql`
    update outbox_deliveries set attempts = 1, next_attempt_at = now() - interval '1 minute',
      delivered_at = case when ${outcome} = 'dead' and destination = 'dest-y' then null else now() end,
      dead_at = case when ${outcome} = 'dead' and destination = 'dest-y' then now() end
    where message_id = ${row!.id}`.execute(env.db);
  await sql`update outbox set next_attempt_at = now() - interval '1 minute' where id = ${row!.id}`.execute(env.db);
  return row!.id;
}

const summary = async (id: string) =>
  (
    await sql<{ delivered: boolean; dead: boolean }>`
      select delivered_at is not null as delivered, dead_at is not null as dead from outbox where id = ${id}`.execute(
      env.db,
    )
  ).rows[0];

describe("repairing the summaries a crash left", () => {
  it("marks delivered a message whose every delivery was, and dead one with a dead delivery", async () => {
    const delivered = await crashedAfterRecording("crash-1", "delivered");
    const dead = await crashedAfterRecording("crash-2", "dead");
    expect(await summary(delivered)).toEqual({ delivered: false, dead: false });
    expect(await repairSummaries(env.db)).toBe(2);
    expect(await summary(delivered)).toEqual({ delivered: true, dead: false });
    expect(await summary(dead)).toEqual({ delivered: false, dead: true });
    expect(await repairSummaries(env.db)).toBe(0);
  });

  it("leaves alone a message with a delivery still pending, and one recorded a moment ago", async () => {
    await env.enqueue([{ topic: "fan.out", aggregateId: "pending-1", payload: {} }]);
    const [pending] = (await env.rows()).filter((r) => r.aggregate_id === "pending-1");
    await sql`
      update outbox_deliveries set delivered_at = now() where message_id = ${pending!.id} and destination = 'dest-x'`.execute(
      env.db,
    );
    await sql`update outbox set next_attempt_at = now() - interval '1 minute' where id = ${pending!.id}`.execute(
      env.db,
    );
    await env.enqueue([{ topic: "fan.out", aggregateId: "fresh-1", payload: {} }]);
    const [fresh] = (await env.rows()).filter((r) => r.aggregate_id === "fresh-1");
    await sql`update outbox_deliveries set delivered_at = now() where message_id = ${fresh!.id}`.execute(env.db);
    expect(await repairSummaries(env.db)).toBe(0);
    expect(await summary(pending!.id)).toEqual({ delivered: false, dead: false });
    expect(await summary(fresh!.id)).toEqual({ delivered: false, dead: false });
  });
});
