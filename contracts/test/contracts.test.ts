import { defineTopic } from "@loans/shared/outbox/topic";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { agreementCreated, canonicalId, payoutRequested, TOPICS } from "../src/index.ts";

describe("the contracts", () => {
  it("name every topic once", () => {
    const names = TOPICS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([
      "agreement.created",
      "agreement.withdrawn",
      "application.decided",
      "payout.requested",
      "payout.settled",
      "payment.succeeded",
      "agreement.status-changed",
    ]);
  });

  it.each(TOPICS.map((t) => [t.name, t] as const))(
    "%s: its example is a payload its parser takes, and an answer",
    (_name, t) => {
      expect(t.payload.safeParse(t.example.payload).success).toBe(true);
      expect(t.answer.safeParse(t.example.answer).success).toBe(true);
      expect(t.version).toBeGreaterThanOrEqual(1);
    },
  );

  it.each(TOPICS.map((t) => [t.name, t] as const))("%s: the parser ignores a field a newer sender adds", (_name, t) => {
    const parsed = t.payload.safeParse({ ...t.example.payload, addedLater: "x" });
    expect(parsed.success).toBe(true);
    expect(parsed.data).not.toHaveProperty("addedLater");
  });

  it("make ids canonical, whatever case the sender spelt them in", () => {
    const id = "94937B77-88CB-431A-9C64-AE4A7400B2B5";
    expect(canonicalId().parse(id)).toBe(id.toLowerCase());
    const p = payoutRequested.payload.parse({
      ...payoutRequested.example.payload,
      agreementId: id,
      sourcePaymentId: id,
    });
    expect([p.agreementId, p.sourcePaymentId]).toEqual([id.toLowerCase(), id.toLowerCase()]);
    expect(canonicalId().safeParse("not-a-uuid").success).toBe(false);
  });

  it("take a message from a sender that omits an optional field (agreement.created before applicationDate)", () => {
    const { applicationDate: _omitted, ...older } = agreementCreated.example.payload;
    expect(agreementCreated.payload.parse(older).applicationDate).toBeUndefined();
  });

  it("refuse an answer that contradicts itself (an APPROVED status without an APPROVED decision)", () => {
    expect(agreementCreated.answer.safeParse({ status: "APPROVED", decision: null }).success).toBe(false);
  });

  it("do not compile when a parser refuses what its sender may send (checked by pnpm typecheck)", () => {
    const define = () =>
      defineTopic<{ id: string; note?: string }>()({
        name: "t",
        version: 1,
        summary: "a parser that wants a note the sender may leave out",
        // @ts-expect-error the parser requires `note`, which the sender's type makes optional
        payload: z.object({ id: z.string(), note: z.string() }),
        answer: z.unknown(),
        example: { payload: { id: "1" }, answer: null },
      });
    expect(define().payload.safeParse({ id: "1" }).success).toBe(false);
  });
});
