import { z } from "zod";

/** A row of `events` as the feed's query reads it (ids and positions as text: they exceed a JS number). */
export interface EventRow {
  xid: string;
  position: string;
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  dataschema: string;
  businessdate: string | null;
  data: unknown;
}

/**
 * The envelope's `sequence`: the row's feed key (xid, position) as one zero-padded decimal number,
 * xid × 10^19 + position (a bigint position has at most 19 digits, an xid8 at most 20). Both parts are
 * fixed when the row is written, so it is stable across reads; the feed serves rows in (xid, position)
 * order, so it is strictly increasing in feed order. It is an order, not a count: numbers are skipped.
 */
export const sequenceOf = (xid: string, position: string) => `${xid.padStart(20, "0")}${position.padStart(19, "0")}`;

/** A row as the CloudEvents 1.0 envelope (EVENTS §1), structured JSON. `businessdate` only where set. */
export function toEnvelope(r: EventRow) {
  return {
    specversion: "1.0" as const,
    id: r.id,
    source: r.source,
    type: r.type,
    subject: r.subject,
    time: r.time,
    datacontenttype: "application/json" as const,
    dataschema: r.dataschema,
    ...(r.businessdate !== null && { businessdate: r.businessdate }),
    sequence: sequenceOf(r.xid, r.position),
    data: r.data,
  };
}

export type Envelope = ReturnType<typeof toEnvelope>;

/** The envelope as the documents describe it; `data` is each type's own schema (the AsyncAPI document). */
export const envelopeFields = z.object({
  specversion: z.literal("1.0"),
  id: z.string().describe("unique forever; a redelivery carries the same id"),
  source: z.string().describe("the service: pe, origination or gateway"),
  type: z.string().describe("agreement.status-changed, payment.applied, …"),
  subject: z.string().describe("the aggregate the order is kept for: the agreement id for a loan's events"),
  time: z.string().describe("the instant the event was written, inside its transaction (not the commit's)"),
  datacontenttype: z.literal("application/json"),
  dataschema: z.string().describe("urn:loans:events:<type>:<version>"),
  businessdate: z.string().optional().describe("the business date in effect (PE's events)"),
  sequence: z.string().describe("the event's place in the service's feed: zero-padded, strictly increasing"),
  data: z.record(z.string(), z.unknown()),
});

/** The envelope as the OpenAPI document names it. */
export const envelopeSchema = envelopeFields.meta({ id: "EventEnvelope" });
