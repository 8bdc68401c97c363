import { randomUUID } from "node:crypto";
import { migrate } from "@loans/db";
import { createTestDatabase, type TestDatabase } from "@loans/db/testing";
import { createDatabase } from "@loans/shared";
import { type Kysely, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BankUnavailable } from "../src/bank/bank.ts";
import { type BankBehaviour, callFate, draw, plan, suffixRule } from "../src/bank/draws.ts";
import { simulatedBank } from "../src/bank/simulated.ts";
import { account } from "./helpers.ts";

const behaviour = (o: Partial<BankBehaviour> = {}): BankBehaviour => ({
  latency: { minMs: 0, maxMs: 0 },
  failureRate: 0,
  errorRate: 0,
  seed: "s1",
  ...o,
});

describe("the bank's draws", () => {
  it("are a function of the seed and the key: the same again, another seed or key something else", () => {
    expect(draw("a", "id", "submit", 1)).toBe(draw("a", "id", "submit", 1));
    expect(draw("a", "id", "submit", 1)).not.toBe(draw("b", "id", "submit", 1));
    expect(draw("a", "id", "submit", 1)).not.toBe(draw("a", "id", "submit", 2));
    const xs = Array.from({ length: 2000 }, (_, i) => draw("a", i));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    // Roughly uniform: a rate of 0.3 hits about 30 % of calls.
    const hits = xs.filter((x) => x < 0.3).length;
    expect(hits).toBeGreaterThan(500);
    expect(hits).toBeLessThan(700);
  });

  it.each([
    ["9901", { failure: "account_closed" }],
    ["9902", { failure: "invalid_account_number" }],
    ["9903", { failure: "insufficient_funds" }],
    ["9904", { transientErrors: 3 }],
    ["0001", {}],
  ])("account …%s: %j", (suffix, rule) => {
    expect(suffixRule(account(suffix))).toEqual(rule);
  });

  it("plans a refusal by suffix, a random could_not_process by rate, a latency inside the range", () => {
    const b = behaviour({ latency: { minMs: 20, maxMs: 200 } });
    expect(plan(b, "x", account("9902"), "OUT")).toEqual({
      outcome: "FAILED",
      failureCode: "invalid_account_number",
      latencyMs: 0,
    });
    expect(plan(b, "x", account("9901"), "OUT")).toMatchObject({ outcome: "FAILED", failureCode: "account_closed" });
    expect(plan(behaviour({ failureRate: 1 }), "x", account(), "OUT")).toMatchObject({
      failureCode: "could_not_process",
    });
    // Insufficient funds is the payer's: a payment from …9903 fails, a payout into it is paid.
    expect(plan(b, "x", account("9903"), "IN")).toMatchObject({ outcome: "FAILED", failureCode: "insufficient_funds" });
    expect(plan(b, "x", account("9903"), "OUT")).toMatchObject({ outcome: "SETTLED" });
    for (let i = 0; i < 50; i++) {
      const p = plan(b, `id${i}`, account(), i % 2 ? "IN" : "OUT");
      expect(p.outcome).toBe("SETTLED");
      expect(p.latencyMs).toBeGreaterThanOrEqual(20);
      expect(p.latencyMs).toBeLessThanOrEqual(200);
    }
  });

  it("loses …9904's first three submits, and with an error rate some calls before or after recording", () => {
    const b = behaviour();
    expect([1, 2, 3, 4].map((n) => callFate(b, "x", "submit", n, account("9904")))).toEqual([
      "lost-before",
      "lost-before",
      "lost-before",
      "ok",
    ]);
    const fates = Array.from({ length: 400 }, (_, n) => callFate(behaviour({ errorRate: 0.5 }), "y", "submit", n + 1));
    expect(new Set(fates)).toEqual(new Set(["ok", "lost-before", "lost-after"]));
    expect(Array.from({ length: 50 }, (_, n) => callFate(behaviour({ errorRate: 1 }), "z", "get", n + 1))).toEqual(
      Array(50).fill("lost-before"),
    );
  });
});

describe("the simulated bank on its tables", () => {
  let database: TestDatabase;
  let db: Kysely<unknown>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    database = await createTestDatabase("gateway");
    await migrate(database.url, "gateway");
    const handle = createDatabase<unknown>(database.url);
    db = handle.db;
    close = handle.close;
  });
  afterAll(async () => {
    await close?.();
    await database?.drop();
  });

  const transfers = async (id: string) =>
    Number(
      (await sql<{ n: string }>`select count(*) as n from bank.transfers where id = ${id}::uuid`.execute(db)).rows[0]!
        .n,
    );

  it("is idempotent by transfer id: a resubmission answers the existing transfer, one row", async () => {
    const bank = simulatedBank(db, behaviour({ latency: { minMs: 10_000, maxMs: 10_000 } }));
    const id = randomUUID();
    const first = await bank.submitTransfer({ id, amount: "100.00", accountNumber: account(), direction: "OUT" });
    const again = await bank.submitTransfer({ id, amount: "100.00", accountNumber: account(), direction: "OUT" });
    expect(first).toMatchObject({ id, status: "ACCEPTED", settledAt: null });
    expect(again).toEqual(first);
    expect(await transfers(id)).toBe(1);
  });

  it("settles after the latency, at the planned instant, whoever looks and whenever", async () => {
    const bank = simulatedBank(db, behaviour({ latency: { minMs: 30, maxMs: 30 } }));
    const id = randomUUID();
    const t = await bank.submitTransfer({ id, amount: "100.00", accountNumber: account(), direction: "OUT" });
    expect(t.status).toBe("ACCEPTED");
    await new Promise((r) => setTimeout(r, 120));
    const settled = await bank.getTransfer(id);
    expect(settled?.status).toBe("SETTLED");
    const { rows } = await sql<{ settles_at: Date; accepted_at: Date }>`
      select settles_at, accepted_at from bank.transfers where id = ${id}::uuid`.execute(db);
    expect(settled?.settledAt?.getTime()).toBe(rows[0]!.settles_at.getTime());
    expect(rows[0]!.settles_at.getTime() - rows[0]!.accepted_at.getTime()).toBeGreaterThanOrEqual(29);
    expect(await bank.getTransfer(randomUUID())).toBeNull();
  });

  it("refuses by suffix: invalid number on the spot, closed account at settlement", async () => {
    const bank = simulatedBank(db, behaviour());
    const a = randomUUID();
    expect(
      await bank.submitTransfer({ id: a, amount: "1.00", accountNumber: account("9902"), direction: "OUT" }),
    ).toMatchObject({
      status: "FAILED",
      failureCode: "invalid_account_number",
    });
    const b = randomUUID();
    await bank.submitTransfer({ id: b, amount: "1.00", accountNumber: account("9901"), direction: "OUT" });
    expect(await bank.getTransfer(b)).toMatchObject({ status: "FAILED", failureCode: "account_closed" });
  });

  it("…9904: three submits time out without a trace, the fourth goes through; still one transfer", async () => {
    const bank = simulatedBank(db, behaviour());
    const id = randomUUID();
    for (let i = 0; i < 3; i++)
      await expect(
        bank.submitTransfer({ id, amount: "1.00", accountNumber: account("9904"), direction: "OUT" }),
      ).rejects.toBeInstanceOf(BankUnavailable);
    expect(await transfers(id)).toBe(0);
    expect(
      (await bank.submitTransfer({ id, amount: "1.00", accountNumber: account("9904"), direction: "OUT" })).status,
    ).toBe("SETTLED");
    expect(await transfers(id)).toBe(1);
  });

  it("a submit recorded before its answer was lost: the resubmission answers that transfer, still one", async () => {
    const flaky = simulatedBank(db, behaviour({ errorRate: 1 }));
    const steady = simulatedBank(db, behaviour());
    // With every call lost, about half the submits are recorded first; find one of those.
    let recorded: string | undefined;
    for (let i = 0; i < 20 && !recorded; i++) {
      const id = randomUUID();
      await expect(
        flaky.submitTransfer({ id, amount: "5.00", accountNumber: account(), direction: "OUT" }),
      ).rejects.toBeInstanceOf(BankUnavailable);
      if ((await transfers(id)) === 1) recorded = id;
    }
    expect(recorded).toBeDefined();
    const t = await steady.submitTransfer({
      id: recorded!,
      amount: "5.00",
      accountNumber: account(),
      direction: "OUT",
    });
    expect(t).toMatchObject({ id: recorded, status: "SETTLED" });
    expect(await transfers(recorded!)).toBe(1);
  });

  it("with a seed, the same calls meet the same fates, across bank instances (a restart)", async () => {
    // The draws are keyed on the transfer id, so the runs reuse one set of ids (and forget them in between).
    const ids = Array.from({ length: 30 }, () => randomUUID());
    const seeded = (seed: string) => behaviour({ seed, errorRate: 0.4, failureRate: 0.3 });
    const outcomes = async (bankSeed: string) => {
      const out: string[] = [];
      for (const id of ids) {
        const b = simulatedBank(db, seeded(bankSeed));
        try {
          const t = await b.submitTransfer({ id, amount: "1.00", accountNumber: account(), direction: "OUT" });
          out.push(`${t.status}:${t.failureCode}`);
        } catch {
          out.push("unknown");
        }
      }
      await sql`delete from bank.transfers where id = any(${ids}::uuid[])`.execute(db);
      await sql`delete from bank.calls where transfer_id = any(${ids}::uuid[])`.execute(db);
      return out.join(",");
    };
    const first = await outcomes("seed-x");
    const second = await outcomes("seed-x");
    const other = await outcomes("seed-y");
    expect(second).toBe(first);
    expect(other).not.toBe(first);
    expect(first).toContain("unknown");
    expect(first).toContain("could_not_process");
  });
});
