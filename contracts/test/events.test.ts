import { Parser } from "@asyncapi/parser";
import { asyncApiDocument, exampleEnvelope } from "@loans/shared/events/asyncapi";
import { dataschemaOf } from "@loans/shared/events/catalog";
import { describe, expect, it } from "vitest";
import { EMITTED_LATER, EVENT_TYPES, eventsOf } from "../src/events/index.ts";

// EVENTS §2, in its order.
const SPEC_TYPES = [
  ["pe", "agreement.created"],
  ["pe", "agreement.status-changed"],
  ["pe", "agreement.delinquency-changed"],
  ["pe", "agreement.schedule-changed"],
  ["pe", "payment.applied"],
  ["pe", "payment.reversed"],
  ["pe", "business-date.closed"],
  ["origination", "application.decided"],
  ["gateway", "payout.settled"],
  ["gateway", "payment.succeeded"],
  ["gateway", "payment.failed"],
  ["gateway", "payment.returned"],
  ["gateway", "reconciliation.completed"],
];

// Field names that would carry personal data a listener must never get (EVENTS §1).
const PERSONAL = /passport|phone|e-?mail|firstName|lastName|middleName|birth|income|accountNumber|payer/i;

/** Every property name anywhere in a JSON Schema. */
function propertyNames(schema: unknown): string[] {
  if (typeof schema !== "object" || schema === null) return [];
  const s = schema as Record<string, unknown>;
  const own = s.properties && typeof s.properties === "object" ? Object.keys(s.properties) : [];
  return [...own, ...Object.values(s).flatMap(propertyNames)];
}

describe("the events catalog", () => {
  it("defines every type of EVENTS §2 once, each from its source", () => {
    expect(EVENT_TYPES.map((e) => [e.source, e.type])).toEqual(SPEC_TYPES);
  });

  it("lists the four types whose change does not exist yet as emitted later", () => {
    expect(EMITTED_LATER).toEqual([
      "agreement.delinquency-changed",
      "payment.reversed",
      "payment.returned",
      "reconciliation.completed",
    ]);
  });

  it.each(EVENT_TYPES.map((e) => [e.type, e] as const))("%s: its example is data its schema takes", (_t, e) => {
    expect(e.data.safeParse(e.example.data).success).toBe(true);
    expect(dataschemaOf(e)).toBe(`urn:loans:events:${e.type}:${e.version}`);
    // PE's events carry the business date, the others do not (EVENTS §1).
    expect(e.example.businessdate !== undefined).toBe(e.source === "pe");
  });

  it.each(EVENT_TYPES.map((e) => [e.type, e] as const))("%s: no field carries personal data", async (_t, e) => {
    const { z } = await import("zod");
    const names = propertyNames(z.toJSONSchema(e.data, { unrepresentable: "any" }));
    expect(names.filter((n) => PERSONAL.test(n))).toEqual([]);
  });
});

describe("the AsyncAPI 3.0 document", () => {
  it.each(["pe", "origination", "gateway"])(
    "of %s is valid by @asyncapi/parser, one channel per own type",
    async (s) => {
      const doc = asyncApiDocument({ service: s, title: s }, eventsOf(s));
      const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
      // No error (0) and no warning (1); the one hint left (2) suggests AsyncAPI 3.1, the brief asks for 3.0.
      expect(diagnostics.filter((d) => d.severity <= 1)).toEqual([]);
      expect(document).toBeDefined();
      const channels = document!
        .channels()
        .all()
        .map((c) => c.address());
      expect(channels).toEqual(eventsOf(s).map((e) => `loans.events.${s}.${e.type}`));
    },
  );

  it("takes each message's example as its payload schema describes it", async () => {
    const { z } = await import("zod");
    for (const e of EVENT_TYPES) {
      const example = exampleEnvelope(e);
      expect(e.data.safeParse(example.data).success).toBe(true);
      expect(
        z
          .string()
          .regex(/^\d{39}$/)
          .safeParse(example.sequence).success,
      ).toBe(true);
    }
  });
});
