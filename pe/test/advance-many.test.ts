import { agreementCreated } from "@loans/contracts";
import { AppError } from "@loans/shared";
import type { WireMessage } from "@loans/shared/outbox";
import { answerHandlers } from "@loans/shared/outbox/topic-routes";
import { type Kysely, sql, type Transaction } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgreementStatus, PeDB } from "../src/db.ts";
import { advance, applyApplicationAnswer, applyApplicationAnswers } from "../src/decisions/decisions.service.ts";
import { type AdvanceItem, advanceMany } from "../src/lifecycle/advance-many.ts";
import { AGREEMENT_EVENTS, AGREEMENT_STATUSES, type AgreementEvent } from "../src/lifecycle/transitions.ts";
import { application, call, startTestPe, type TestPe } from "./helpers.ts";

let pe: TestPe;
let ids: string[];
beforeAll(async () => {
  pe = await startTestPe();
  ids = [];
  for (let i = 0; i < 3; i++) ids.push((await call(pe.url, "POST", "/agreements", application())).body.id);
});
afterAll(() => pe?.stop());

const decision = (result: "APPROVED" | "REJECTED") => ({
  result,
  reasons: [{ code: "R", message: "why" }],
  decidedAt: "2025-01-02T03:04:05.678Z",
});
const decisionOf = (e: AgreementEvent) => (e === "APPROVED" || e === "REJECTED" ? decision(e) : null);

/** Runs `fn` on the agreements put in `statuses` first, and rolls everything back; answers what it saw. */
async function trial<T>(statuses: AgreementStatus[], fn: (trx: Transaction<PeDB>) => Promise<T>) {
  const db = pe.db as Kysely<PeDB>;
  const seen = {
    answer: undefined as T | { threw: string } | undefined,
    rows: [] as unknown[],
    history: [] as unknown[],
  };
  await db
    .transaction()
    .execute(async (trx) => {
      for (const [i, s] of statuses.entries()) {
        await sql`update agreements set status = ${s} where id = ${ids[i]}`.execute(trx);
      }
      try {
        seen.answer = await fn(trx);
      } catch (err) {
        seen.answer = { threw: err instanceof AppError ? `${err.code}: ${err.message}` : String(err) };
      }
      seen.rows = (
        await sql`select id, status, decision_result, decision_reasons, decided_at from agreements
                  where id = any(${ids}::uuid[]) order by id`.execute(trx)
      ).rows;
      seen.history = (
        await sql`select agreement_id, status from agreement_status_history
                  where agreement_id = any(${ids}::uuid[]) order by agreement_id, at, status`.execute(trx)
      ).rows;
      throw new Error("roll back");
    })
    .catch((err) => {
      if ((err as Error).message !== "roll back") throw err;
    });
  return seen;
}

const asAdvance = (a: Awaited<ReturnType<typeof advanceMany>>[number]) =>
  "refused" in a ? { threw: `${a.refused.code}: ${a.refused.message}` } : a.status;

describe("advanceMany", () => {
  it("answers and writes what advance does, for every status and event", async () => {
    let moves = 0;
    for (const status of AGREEMENT_STATUSES) {
      for (const event of AGREEMENT_EVENTS) {
        const one = await trial([status], (trx) => advance(trx, ids[0]!, event, decisionOf(event)));
        const many = await trial([status], async (trx) =>
          asAdvance((await advanceMany(trx, [{ agreementId: ids[0]!, event, decision: decisionOf(event) }]))[0]!),
        );
        expect({ status, event, ...many }).toEqual({ status, event, ...one });
        if (one.answer !== status && typeof one.answer === "string") moves++;
      }
    }
    // The table moves an agreement in these cells; the comparison above must have covered real writes.
    expect(moves).toBeGreaterThan(10);
  });

  it("takes a batch of agreements in different states in one call, unknown ids refused on their own", async () => {
    const unknown = "00000000-0000-4000-8000-000000000000";
    const items: AdvanceItem[] = [
      { agreementId: ids[0]!, event: "ACCEPTED" },
      { agreementId: ids[1]!, event: "APPROVED", decision: decision("APPROVED") },
      { agreementId: unknown, event: "REJECTED", decision: decision("REJECTED") },
      { agreementId: ids[2]!, event: "REJECTED", decision: decision("REJECTED") },
    ];
    const statuses: AgreementStatus[] = ["NEW", "IN_PROGRESS", "APPROVED"];
    const many = await trial(statuses, async (trx) => (await advanceMany(trx, items)).map(asAdvance));
    const one = await trial(statuses, async (trx) => {
      const answers = [];
      for (const i of items) {
        answers.push(
          await advance(trx, i.agreementId, i.event, i.decision).catch((e: AppError) => ({
            threw: `${e.code}: ${e.message}`,
          })),
        );
      }
      return answers;
    });
    expect(many).toEqual(one);
    expect(many.answer).toEqual([
      "IN_PROGRESS",
      "APPROVED",
      { threw: `NOT_FOUND: agreement ${unknown} not found` },
      { threw: `CONFLICT: agreement ${ids[2]} is APPROVED; REJECTED contradicts it` },
    ]);
  });
});

describe("applyApplicationAnswers", () => {
  const message = (id: string, n: number): WireMessage => ({
    id: String(n),
    topic: "agreement.created",
    aggregateId: id,
    payload: {},
    createdAt: new Date().toISOString(),
  });
  // As the relay runs them: each answer read by the contract first.
  const created = answerHandlers(agreementCreated, applyApplicationAnswer, applyApplicationAnswers);
  const answers = () => [
    { message: message(ids[0]!, 1), result: { status: "IN_PROGRESS", decision: null } },
    { message: message(ids[1]!, 2), result: { status: "PAYMENT_PENDING", decision: decision("APPROVED") } },
    { message: message(ids[2]!, 3), result: { status: "WITHDRAWN", decision: null } },
  ];

  it("applies a batch of answers as applyApplicationAnswer does one by one", async () => {
    const statuses: AgreementStatus[] = ["NEW", "NEW", "WITHDRAWN"];
    const many = await trial(statuses, (trx) => created.onAnswers!(trx, answers()));
    const one = await trial(statuses, async (trx) => {
      for (const a of answers()) await created.onAnswer(trx, a.message, a.result);
    });
    expect(many).toEqual(one);
    expect((many.rows as Array<{ status: string }>).map((r) => r.status).sort()).toEqual(
      ["APPROVED", "IN_PROGRESS", "WITHDRAWN"].sort(),
    );
  });

  it("throws when any answer would, so the relay falls back to them one by one", async () => {
    const contradicting = await trial(["NEW", "REJECTED", "NEW"], (trx) => created.onAnswers!(trx, answers()));
    expect(contradicting.answer).toEqual({ threw: expect.stringContaining("CONFLICT") });
    const malformed = await trial(["NEW", "NEW", "NEW"], (trx) =>
      created.onAnswers!(trx, [{ message: message(ids[0]!, 1), result: { status: "APPROVED", decision: null } }]),
    );
    expect(malformed.answer).toEqual({
      threw: expect.stringContaining("VALIDATION_FAILED: answer to agreement.created"),
    });
  });
});
