import { z } from "zod";
import type { RouteDoc } from "../http/openapi.ts";
import { deadQuery, messagesQuery, requeueBody } from "./admin.routes.ts";

// The kit's operator endpoints (admin.routes.ts), documented once for every service's /openapi.json: what
// the console and the generated fuzz read them from.

const count = z.number().int();
const destination = z.object({
  destination: z.string(),
  pending: count,
  due: count,
  retrying: count,
  oldestPendingAgeSeconds: z.number().nullable(),
  deliveredLastMinute: count,
  deliveredLastHour: count,
  dead: count,
  health: z.enum(["healthy", "failing", "unknown"]),
  failingSince: z.string().nullable(),
  lastError: z.string().nullable(),
});
const topic = z.object({
  topic: z.string(),
  destination: z.string().nullable(),
  pending: count,
  due: count,
  retrying: count,
  oldestAgeSeconds: z.number().nullable(),
  lastMinute: count,
  lastHour: count,
  dead: count,
});
const outboxStatus = z.object({ service: z.string(), destinations: z.array(destination), topics: z.array(topic) });
const deadLetter = z.object({
  id: z.string(),
  topic: z.string(),
  destination: z.string().nullable(),
  aggregateId: z.string(),
  attempts: count,
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deadAt: z.string(),
  requestId: z.string().nullable(),
});
const delivery = z.object({
  destination: z.string(),
  attempts: count,
  deliveredAt: z.string().nullable(),
  deadAt: z.string().nullable(),
  lastError: z.string().nullable(),
});
const message = z.object({
  id: z.string(),
  topic: z.string(),
  requestId: z.string().nullable(),
  createdAt: z.string(),
  deliveries: z.array(delivery),
});
const queues = z.object({
  service: z.string(),
  queues: z.array(z.object({ queue: z.string(), queued: count, active: count })),
});

const AT = "2025-03-17T10:00:00.000Z";
const AGGREGATE = "94937b77-88cb-431a-9c64-ae4a7400b2b5";
const line = { destination: "origination", pending: 1, due: 1, retrying: 0, dead: 0 };
const outboxExample = {
  service: "pe",
  destinations: [
    {
      ...line,
      oldestPendingAgeSeconds: 0.4,
      deliveredLastMinute: 12,
      deliveredLastHour: 340,
      health: "healthy",
      failingSince: null,
      lastError: null,
    },
  ],
  topics: [{ ...line, topic: "agreement.created", oldestAgeSeconds: 0.4, lastMinute: 12, lastHour: 340 }],
};
const deadExample = {
  id: "812",
  topic: "agreement.created",
  destination: "origination",
  aggregateId: AGGREGATE,
  attempts: 9,
  lastError: "rejected: VALIDATION_FAILED",
  createdAt: AT,
  deadAt: AT,
  requestId: "demo-1",
};
const messageExample = {
  id: "812",
  topic: "agreement.created",
  requestId: "demo-1",
  createdAt: AT,
  deliveries: [{ destination: "origination", attempts: 1, deliveredAt: AT, deadAt: null, lastError: null }],
};
const admin: Pick<RouteDoc, "tags" | "security"> = { tags: ["admin"], security: "admin" };

export const adminDocs: RouteDoc[] = [
  {
    ...admin,
    method: "get",
    path: "/admin/outbox",
    operationId: "getOutboxStatus",
    summary: "The outbox per destination and per topic: pending, due, retrying, delivered lately, dead",
    responses: { 200: { description: "the outbox now", body: outboxStatus, example: outboxExample } },
  },
  {
    ...admin,
    method: "get",
    path: "/admin/outbox/dead",
    operationId: "listDeadLetters",
    summary: "Dead letters, newest first, a page at a time",
    query: deadQuery,
    responses: {
      200: {
        description: "a page of dead letters",
        body: z.object({ items: z.array(deadLetter), nextCursor: z.string().nullable() }),
        example: { items: [deadExample], nextCursor: null },
      },
    },
  },
  {
    ...admin,
    method: "get",
    path: "/admin/outbox/messages",
    operationId: "listAggregateMessages",
    summary: "One aggregate's messages, oldest first (at most 200), each with its deliveries and request id",
    query: messagesQuery,
    responses: {
      200: {
        description: "the aggregate's messages",
        body: z.object({ service: z.string(), items: z.array(message) }),
        example: { service: "pe", items: [messageExample] },
      },
    },
  },
  {
    ...admin,
    method: "post",
    path: "/admin/outbox/requeue",
    operationId: "requeueDeadLetters",
    summary: "Sends an aggregate's dead messages to a destination again, as `pnpm outbox requeue` does",
    body: requeueBody,
    bodyExample: { destination: "origination", aggregateId: AGGREGATE },
    responses: {
      200: {
        description: "the requeued messages' ids",
        body: z.object({ requeued: z.array(z.string()) }),
        example: { requeued: ["812"] },
      },
      404: {
        description: "no dead message of the aggregate for the destination",
        errors: [{ code: "NOT_FOUND", message: `no dead message of ${AGGREGATE} for origination` }],
      },
      409: {
        description: "a later message of the aggregate was delivered; `force` requeues anyway",
        errors: [{ code: "CONFLICT", message: "a later message of the aggregate was delivered" }],
      },
    },
  },
  {
    ...admin,
    method: "get",
    path: "/admin/queues",
    operationId: "listQueues",
    summary: "The service's pg-boss queues: jobs queued and active",
    responses: {
      200: {
        description: "every queue",
        body: queues,
        example: { service: "gateway", queues: [{ queue: "bank", queued: 0, active: 1 }] },
      },
      404: {
        description: "the service runs no pg-boss",
        errors: [{ code: "NOT_FOUND", message: "this service runs no pg-boss" }],
      },
    },
  },
];
