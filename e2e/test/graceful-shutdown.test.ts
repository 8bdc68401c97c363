import { randomUUID } from "node:crypto";
import type { ServiceName } from "@loans/db/services";
import { waitFor } from "@loans/shared/test-kit/wait";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Call, keepAliveLoad, type Tally } from "../kit/keepalive-load.ts";
import { agreementBody, makeClients, random } from "../kit/requests.ts";
import type { System } from "../kit/system.ts";
import { startTestSystem, type TestSystem } from "../kit/test-system.ts";

// Keep-alive clients at work while each service in turn gets SIGTERM and is started again: every request
// is answered or refused (ECONNREFUSED, 503), none is cut. The drain is shortened to keep the file's cost
// modest; its length changes nothing in the sequence. The clients behave as well-behaved HTTP clients do
// (kit/keepalive-load.ts): they honour `Connection: close` and a refusal's `Retry-After`. SHUTDOWN_ROUNDS runs more rounds (a longer soak).
const ROUNDS = Number(process.env.SHUTDOWN_ROUNDS ?? 20);
const FAST_ROUNDS = Math.max(3, Math.round(ROUNDS / 6));
const CLIENTS = 8;
const VICTIMS: readonly ServiceName[] = ["pe", "origination", "gateway"];

let test: TestSystem;
let system: System;

beforeAll(async () => {
  test = await startTestSystem({ SHUTDOWN_DRAIN_MS: "300", OUTBOX_BASE_DELAY_MS: "50", OUTBOX_MAX_DELAY_MS: "500" });
  ({ system } = test);
}, 120_000);
afterAll(async () => {
  await test?.stop();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM to each victim in turn under the load, each started again; the exit codes, in order. */
async function sigtermRounds(rounds: number): Promise<Array<number | null>> {
  const codes: Array<number | null> = [];
  for (let round = 0; round < rounds; round++) {
    const victim = system[VICTIMS[round % VICTIMS.length]!][0]!;
    await pause(200);
    codes.push(await victim.kill("SIGTERM"));
    await victim.start();
  }
  await pause(300);
  return codes;
}

function report(name: string, tally: Tally) {
  const { failures, ...counts } = tally;
  // The outcome counts, printed for the record of the run.
  console.log(
    `${name}: ${JSON.stringify(counts)}${failures.length ? ` failures: ${failures.slice(0, 20).join("; ")}` : ""}`,
  );
}

describe("SIGTERM under keep-alive traffic cuts no request", () => {
  it(`${ROUNDS} SIGTERMs over the three services while ${CLIENTS} clients post agreements: 0 cut, all decided`, async () => {
    const rnd = random(31);
    const people = makeClients(100_000, rnd, `G${process.pid % 1000}X`);
    let person = 0;
    const created: string[] = [];
    const lastCreated: string[] = [];
    // Each client posts an agreement to PE, and reads from the other two services so that their
    // SIGTERMs meet requests of their own (PE's calls to them go through its outbox, which retries).
    const next = (i: number): Call[] => [
      {
        service: "pe",
        method: "POST",
        url: `${system.pe[0]!.url}/agreements`,
        body: agreementBody(people[person++ % people.length]!, rnd),
        onAnswer: (status, body) => {
          if (status !== 201) return;
          const id = (body as { id: string }).id;
          created.push(id);
          lastCreated[i] = id;
        },
      },
      {
        service: "origination",
        method: "GET",
        url: `${system.origination[0]!.url}/applications/${lastCreated[i] ?? randomUUID()}`,
      },
      { service: "gateway", method: "GET", url: `${system.gateway[0]!.url}/payouts?limit=5` },
    ];
    const load = keepAliveLoad(CLIENTS, next);
    const codes = await sigtermRounds(ROUNDS);
    const tally = await load.stop();
    report(`shutdown, ${ROUNDS} rounds, agreements`, tally);
    expect(codes).toEqual(codes.map(() => 0));
    expect(tally.failures).toEqual([]);
    expect(tally).toMatchObject({ cut: 0, other: 0 });
    // The sequence was exercised: answers during drains said Connection: close, and requests were refused.
    expect(tally.closeAnswers).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0);
    expect(created.length).toBeGreaterThan(ROUNDS);
    await everyAgreementDecided(created);
  }, 240_000);

  it(`fast refusals (400/422) on keep-alive sockets through ${FAST_ROUNDS} SIGTERMs: 0 cut`, async () => {
    const statuses = new Set<number>();
    const onAnswer = (status: number) => void statuses.add(status);
    const next = (): Call[] => [
      { service: "pe", method: "POST", url: `${system.pe[0]!.url}/agreements`, body: { productCode: 7 }, onAnswer },
      { service: "origination", method: "GET", url: `${system.origination[0]!.url}/applications?limit=abc`, onAnswer },
      {
        service: "gateway",
        method: "POST",
        url: `${system.gateway[0]!.url}/payments`,
        headers: { "idempotency-key": randomUUID() },
        body: { amount: "-1" },
        onAnswer,
      },
    ];
    const load = keepAliveLoad(CLIENTS, next);
    const codes = await sigtermRounds(FAST_ROUNDS);
    const tally = await load.stop();
    report(`shutdown, ${FAST_ROUNDS} rounds, fast 4xx`, tally);
    expect(codes).toEqual(codes.map(() => 0));
    expect(tally.failures).toEqual([]);
    expect(tally).toMatchObject({ cut: 0, other: 0 });
    // Every answer was a refusal of the input (or the 503 of a draining server, counted as refused).
    expect(
      [...statuses].every((s) => s === 400 || s === 422 || s === 503),
      [...statuses].join(),
    ).toBe(true);
    expect(tally.answered).toBeGreaterThan(1_000);
  }, 120_000);
});

/** Every agreement PE holds (this file's database: all of them created here) ends APPROVED or REJECTED. */
async function everyAgreementDecided(created: readonly string[]) {
  const client = new pg.Client({ connectionString: system.databases.pe });
  await client.connect();
  try {
    const counts = await waitFor(
      async () => {
        const r = await client.query<{ total: number; undecided: number }>(
          `select count(*)::int as total,
                  count(*) filter (where status not in ('APPROVED', 'REJECTED'))::int as undecided
           from agreements`,
        );
        const row = r.rows[0]!;
        return row.undecided === 0 ? row : null;
      },
      { timeoutMs: 60_000, everyMs: 250, what: "every agreement to be decided" },
    );
    // Every 201 the clients saw is an agreement PE holds; a few more may have been created unseen only
    // if an answer had been lost, which the zero cuts above exclude.
    expect(counts.total).toBe(created.length);
  } finally {
    await client.end();
  }
}
