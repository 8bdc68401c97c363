import Router from "@koa/router";
import type pg from "pg";
import { z } from "zod";
import type { RouteDoc } from "../http/openapi.ts";
import { parseInput } from "../http/validate.ts";
import { asyncApiDocument } from "./asyncapi.ts";
import type { AnyEventType } from "./catalog.ts";
import { envelopeSchema } from "./envelope.ts";
import { decodeFeedCursor, encodeFeedCursor, readFeed } from "./feed.ts";

const LIMIT = "must be a whole number from 1 to 500";

const feedQuery = z.object({
  after: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe("the `nextCursor` of the page before; without it, the oldest kept"),
  types: z
    .string()
    .max(2000)
    .optional()
    .describe("comma-separated event types: only these (`agreement.status-changed,payment.applied`)"),
  subject: z.string().min(1).max(200).optional().describe("only this subject's events (an agreement id)"),
  limit: z.coerce
    .number<number>({ error: LIMIT })
    .int(LIMIT)
    .min(1, LIMIT)
    .max(500, LIMIT)
    .default(100)
    .describe("events per page, 100 unless given"),
});

export interface EventRoutesDeps {
  service: string;
  title: string;
  pool: pg.Pool;
  /** The service's own event types (the contracts' catalog for its source). */
  events: readonly AnyEventType[];
}

/** GET /events (the pull feed, EVENTS §3) and GET /asyncapi.json (EVENTS E6), on every service. */
export function eventRoutes(deps: EventRoutesDeps): Router {
  const known = new Set(deps.events.map((e) => e.type));
  const document = asyncApiDocument({ service: deps.service, title: deps.title }, deps.events);
  const query = feedQuery.superRefine((q, ctx) => {
    const unknown = (q.types ?? "").split(",").filter((t) => q.types !== undefined && !known.has(t.trim()));
    if (unknown.length > 0)
      ctx.addIssue({
        code: "custom",
        path: ["types"],
        message: `unknown event type(s): ${unknown.join(", ").slice(0, 300)}; known: ${[...known].join(", ")}`,
      });
  });
  const router = new Router();
  router.get("/events", async (ctx) => {
    const q = parseInput(query, ctx.query, "query");
    const page = await readFeed(deps.pool, {
      after: q.after === undefined ? undefined : decodeFeedCursor(q.after),
      types: q.types === undefined ? undefined : [...new Set(q.types.split(",").map((t) => t.trim()))],
      subject: q.subject,
      limit: q.limit,
    });
    ctx.body = { items: page.items, nextCursor: page.next ? encodeFeedCursor(page.next) : null };
  });
  router.get("/asyncapi.json", (ctx) => {
    ctx.body = document;
  });
  return router;
}

const feedPage = z.object({
  items: z.array(envelopeSchema),
  nextCursor: z
    .string()
    .nullable()
    .describe("give it as `after` for the next page; the same cursor again when nothing new has settled"),
});

const feedExample = {
  specversion: "1.0",
  id: "0b7e4a52-5f8e-4c1a-9d0e-2f3a4b5c6d7e",
  source: "pe",
  type: "agreement.status-changed",
  subject: "94937b77-88cb-431a-9c64-ae4a7400b2b5",
  time: "2026-03-05T10:15:30.123456Z",
  datacontenttype: "application/json",
  dataschema: "urn:loans:events:agreement.status-changed:1",
  businessdate: "2026-03-05",
  sequence: "000000000000000075400000000000000012345",
  data: {
    agreementId: "94937b77-88cb-431a-9c64-ae4a7400b2b5",
    from: "DISBURSING",
    to: "ACTIVE",
    reason: { code: "PAYOUT_PAID", message: "the disbursement was paid" },
  },
};

/**
 * The feed's declaration, listed with the kit's own (kit/app.ts). GET /asyncapi.json is an open path like
 * /openapi.json (http/api-keys.ts): a document about the API, not an operation of it.
 */
export const eventRouteDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/events",
    operationId: "listEvents",
    summary:
      "The service's business events (CloudEvents 1.0), oldest first: follow `nextCursor` to see every event " +
      "exactly once, in `sequence` order. An event appears once its transaction and every transaction that " +
      "began writing before it have ended",
    tags: ["events"],
    access: { role: "viewer", apiKey: true },
    query: feedQuery,
    responses: {
      200: {
        description: "a page of events, and the cursor to go on from",
        body: feedPage,
        example: { items: [feedExample], nextCursor: "WyJlMSIsIjc1NCIsIjEyMzQ1Il0" },
      },
      410: {
        description: "the cursor is from before the events the retention (EVENTS_RETENTION_DAYS) removed",
        errors: [
          {
            code: "CURSOR_EXPIRED",
            message: "the cursor is older than the events kept; start again without `after`",
            details: [{ path: "after", message: "events after it were removed by the retention" }],
          },
        ],
      },
    },
  },
];
