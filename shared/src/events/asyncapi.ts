import { z } from "zod";
import { type AnyEventType, dataschemaOf } from "./catalog.ts";
import { envelopeFields } from "./envelope.ts";

/** A schema as plain JSON Schema draft-07 (AsyncAPI 3.0's default schema format is a superset of it). */
function jsonSchema(s: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(s, {
    target: "draft-7",
    unrepresentable: "any",
    io: "output",
  }) as Record<string, unknown>;
  // A named sub-schema would be a $ref into the wrong document: the catalog's schemas are inline.
  if ("definitions" in json || JSON.stringify(json).includes('"$ref"'))
    throw new Error("an event's schema must not name sub-schemas (.meta({ id }))");
  return json;
}

/** A channel's or operation's key: the type with its dots kept ("agreement.status-changed"). */
const keyOf = (t: string) => t.replace(/[^\w.-]/g, "_");
const messageOf = (t: string) => t.replace(/[.-](\w)/g, (_m, c: string) => c.toUpperCase());

/** The example envelope of one type, as the feed would serve it. */
export function exampleEnvelope(e: AnyEventType) {
  return {
    specversion: "1.0",
    id: "0b7e4a52-5f8e-4c1a-9d0e-2f3a4b5c6d7e",
    source: e.source,
    type: e.type,
    subject: e.example.subject,
    time: "2026-03-05T10:15:30.123456Z",
    datacontenttype: "application/json",
    dataschema: dataschemaOf(e),
    ...(e.example.businessdate !== undefined && { businessdate: e.example.businessdate }),
    sequence: "000000000000000075400000000000000012345",
    data: e.example.data,
  };
}

/**
 * The AsyncAPI 3.0 document of one service's events, generated from the catalog (EVENTS E6): one
 * channel per type, addressed as its broker subject (`loans.events.<source>.<type>`, EVENTS §5), one
 * `receive` operation per channel, and each message's payload the CloudEvents envelope with that type's
 * `data`. The pull feed (GET /events) carries every channel's messages, in one order.
 */
export function asyncApiDocument(info: { service: string; title: string }, events: readonly AnyEventType[]) {
  const { data: _, ...envelope } = (jsonSchema(envelopeFields) as { properties: object }).properties as Record<
    string,
    unknown
  >;
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const e of events) {
    const key = keyOf(e.type);
    const name = messageOf(e.type);
    messages[name] = {
      name: e.type,
      title: e.type,
      summary: e.summary,
      description: `Subject: ${e.subject}. Schema ${dataschemaOf(e)}.${e.emitted ? "" : " Defined, not emitted yet."}`,
      contentType: "application/json",
      payload: {
        type: "object",
        required: [
          "specversion",
          "id",
          "source",
          "type",
          "subject",
          "time",
          "datacontenttype",
          "dataschema",
          "sequence",
          "data",
        ],
        properties: {
          ...envelope,
          source: { type: "string", const: e.source },
          type: { type: "string", const: e.type },
          dataschema: { type: "string", const: dataschemaOf(e) },
          data: jsonSchema(e.data),
        },
      },
      examples: [{ name: "example", payload: exampleEnvelope(e) }],
    };
    channels[key] = {
      address: `loans.events.${e.source}.${e.type}`,
      title: e.type,
      description: e.summary,
      messages: { [name]: { $ref: `#/components/messages/${name}` } },
    };
    operations[`receive-${key}`] = {
      action: "receive",
      summary: `Receive ${e.type}`,
      channel: { $ref: `#/channels/${key}` },
      messages: [{ $ref: `#/channels/${key}/messages/${name}` }],
    };
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: `${info.title} events`,
      version: "1.0.0",
      description:
        `The business events of ${info.service} (EVENTS.md): CloudEvents 1.0 envelopes, written in the ` +
        "transaction of the change they report. Read them from the pull feed GET /events (a cursor held by the " +
        "consumer; every event once, in `sequence` order).",
    },
    defaultContentType: "application/json",
    channels,
    operations,
    components: { messages },
  };
}
