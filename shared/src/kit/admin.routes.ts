import Router from "@koa/router";
import type pg from "pg";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import { auditAction, describeAudit } from "../audit/write.ts";
import { queueSizes } from "../boss.ts";
import { cursorCodec, pageLimit } from "../http/cursor.ts";
import { AppError } from "../http/errors.ts";
import type { RouteDoc } from "../http/openapi.ts";
import { parseInput } from "../http/validate.ts";
import { RequeueRefused, requeueDead, topicStatus } from "../outbox/inspect.ts";

/**
 * The operator's endpoints every service has, for the console's Operations page: the outbox per
 * destination, its dead letters and their requeue, and the pg-boss queues. The access guard lets any
 * operator read them and the `operator` role requeue (adminRouteDocs); they read what `pnpm outbox`
 * reads, and the requeue is the command's own.
 */
export function adminRoutes(deps: AdminDeps): Router {
  const router = new Router({ prefix: "/admin" });
  outboxRoute(router, deps);
  deadLettersRoute(router, deps);
  messagesRoute(router, deps);
  requeueRoute(router, deps);
  queuesRoute(router, deps);
  return router;
}

interface AdminDeps {
  service: string;
  pool: pg.Pool;
  boss?: PgBoss;
}

function outboxRoute(router: Router, deps: AdminDeps) {
  router.get("/outbox", async (ctx) => {
    const [topics, health] = await Promise.all([topicStatus(deps.pool), destinationHealth(deps.pool)]);
    ctx.body = { service: deps.service, destinations: byDestination(topics, health), topics };
  });
}

function deadLettersRoute(router: Router, deps: AdminDeps) {
  router.get("/outbox/dead", async (ctx) => {
    const q = parseInput(deadQuery, ctx.query, "query");
    const after = q.cursor === undefined ? null : deadCursor.decode(q.cursor);
    // Newest first by (id, destination): one message may be dead at several destinations.
    const { rows } = await deps.pool.query(
      `select id::text, topic, destination, aggregate_id, attempts, last_error, created_at, dead_at, request_id
       from outbox_dead_letters
       where $1::bigint is null or (id, coalesce(destination, '')) < ($1::bigint, $2::text)
       order by id desc, coalesce(destination, '') desc
       limit $3`,
      [after?.[0] ?? null, after?.[1] ?? "", q.limit + 1],
    );
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    ctx.body = {
      items: page.map((r) => ({
        id: r.id,
        topic: r.topic,
        destination: r.destination,
        aggregateId: r.aggregate_id,
        attempts: r.attempts,
        lastError: r.last_error,
        createdAt: r.created_at.toISOString(),
        deadAt: r.dead_at.toISOString(),
        requestId: r.request_id,
      })),
      nextCursor: rows.length > q.limit && last ? deadCursor.encode([last.id, last.destination ?? ""]) : null,
    };
  });
}

// One aggregate's messages, oldest first, with the request id each carries: what links its log lines
// across the services, and where each delivery stands.
function messagesRoute(router: Router, deps: AdminDeps) {
  router.get("/outbox/messages", async (ctx) => {
    const q = parseInput(messagesQuery, ctx.query, "query");
    const { rows } = await deps.pool.query(
      `select o.id::text, o.topic, o.request_id, o.created_at,
              coalesce(json_agg(json_build_object(
                'destination', d.destination, 'attempts', d.attempts, 'deliveredAt', d.delivered_at,
                'deadAt', d.dead_at, 'lastError', d.last_error) order by d.destination)
                filter (where d.message_id is not null), '[]') as deliveries
       from outbox o left join outbox_deliveries d on d.message_id = o.id
       where o.aggregate_id = $1
       group by o.id order by o.id limit 200`,
      [q.aggregateId],
    );
    ctx.body = {
      service: deps.service,
      items: rows.map((r) => ({
        id: r.id,
        topic: r.topic,
        requestId: r.request_id,
        createdAt: r.created_at.toISOString(),
        deliveries: r.deliveries,
      })),
    };
  });
}

function requeueRoute(router: Router, deps: AdminDeps) {
  router.post("/outbox/requeue", async (ctx) => {
    const body = parseInput(requeueBody, ctx.request.body, "body");
    const audited = { action: "outbox.requeue", target: `aggregate:${body.aggregateId}` };
    describeAudit(ctx, audited);
    const client = await deps.pool.connect();
    try {
      const ids = await requeueDead(
        client,
        { destination: body.destination, aggregateId: body.aggregateId },
        {
          force: body.force,
          beforeCommit: async (c, requeued) => {
            const summary = { destination: body.destination, force: body.force, requeued };
            await auditAction(c, ctx, { ...audited, summary });
          },
        },
      );
      if (ids.length === 0) {
        throw new AppError("NOT_FOUND", `no dead message of ${body.aggregateId} for ${body.destination}`);
      }
      ctx.body = { requeued: ids };
    } catch (err) {
      if (err instanceof RequeueRefused) {
        throw new AppError("CONFLICT", err.message, [
          { path: "force", message: "true requeues anyway, if the receiver takes a late message in its stride" },
        ]);
      }
      throw err;
    } finally {
      client.release();
    }
  });
}

function queuesRoute(router: Router, deps: AdminDeps) {
  router.get("/queues", async (ctx) => {
    if (!deps.boss) throw new AppError("NOT_FOUND", "this service runs no pg-boss");
    const { rows } = await deps.boss.getDb().executeSql("select name from pgboss.queue order by name", []);
    const names = (rows as Array<{ name: string }>).map((r) => r.name);
    ctx.body = { service: deps.service, queues: await queueSizes(deps.boss, names) };
  });
}

const deadCursor = cursorCodec(z.tuple([z.string().regex(/^\d+$/), z.string()]));

export const deadQuery = z.strictObject({ limit: pageLimit(), cursor: z.string().max(500).optional() });

export const messagesQuery = z.strictObject({ aggregateId: z.string().min(1).max(200) });

export const requeueBody = z.strictObject({
  destination: z.string().min(1).max(200),
  aggregateId: z.string().min(1).max(200),
  force: z.boolean().default(false),
});

const tags = ["admin"];
const notFound = (message: string) => ({ description: "nothing to show", errors: [{ code: "NOT_FOUND", message }] });

/** The kit admin endpoints' declarations: reads for any operator, the requeue for the `operator` role. */
export const adminRouteDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/admin/outbox",
    operationId: "getOutbox",
    summary: "The outbox per destination and per topic: backlog, oldest pending age, dead letters, health",
    tags,
    access: { role: "viewer" },
    responses: { 200: { description: "the outbox now" } },
  },
  {
    method: "get",
    path: "/admin/outbox/dead",
    operationId: "listDeadLetters",
    summary: "Dead letters, newest first, a page at a time",
    tags,
    access: { role: "viewer" },
    query: deadQuery,
    responses: { 200: { description: "a page of dead letters: `{items, nextCursor}`" } },
  },
  {
    method: "get",
    path: "/admin/outbox/messages",
    operationId: "listAggregateMessages",
    summary: "One aggregate's messages, oldest first, with their request ids and deliveries",
    tags,
    access: { role: "viewer" },
    query: messagesQuery,
    responses: { 200: { description: "the aggregate's messages" } },
  },
  {
    method: "post",
    path: "/admin/outbox/requeue",
    operationId: "requeueDeadLetters",
    summary: "Sends an aggregate's dead messages to a destination again, in order",
    tags,
    access: { role: "operator" },
    body: requeueBody,
    bodyExample: { destination: "origination", aggregateId: "0b7f7a52-3f1c-4c1e-9c59-1f6c2b0e6a10" },
    responses: {
      200: { description: "requeued: the message ids" },
      404: notFound("no dead message of 0b7f7a52-3f1c-4c1e-9c59-1f6c2b0e6a10 for origination"),
      409: {
        description: "a later message of the aggregate was delivered; `force` requeues anyway",
        errors: [{ code: "CONFLICT", message: "a later message of the aggregate was delivered" }],
      },
    },
  },
  {
    method: "get",
    path: "/admin/queues",
    operationId: "listQueues",
    summary: "The pg-boss queues and their sizes",
    tags,
    access: { role: "viewer" },
    responses: { 200: { description: "the queues" }, 404: notFound("this service runs no pg-boss") },
  },
];

interface Health {
  name: string;
  failingSince: string | null;
  lastError: string | null;
}

async function destinationHealth(pool: pg.Pool): Promise<Health[]> {
  const { rows } = await pool.query(`select name, failing_since, last_error from outbox_destinations order by name`);
  return rows.map((r) => ({
    name: r.name,
    failingSince: r.failing_since?.toISOString() ?? null,
    lastError: r.last_error,
  }));
}

/** The per-topic lines summed per destination, with each destination's health beside them. */
function byDestination(topics: Awaited<ReturnType<typeof topicStatus>>, health: Health[]) {
  const names = [...new Set([...health.map((h) => h.name), ...topics.map((t) => t.destination ?? "(no route)")])];
  return names.sort().map((name) => {
    const mine = topics.filter((t) => (t.destination ?? "(no route)") === name);
    const h = health.find((x) => x.name === name);
    const ages = mine.map((t) => t.oldestAgeSeconds).filter((a): a is number => a !== null);
    const sum = (k: "pending" | "due" | "retrying" | "lastMinute" | "lastHour" | "dead") =>
      mine.reduce((n, t) => n + t[k], 0);
    return {
      destination: name,
      pending: sum("pending"),
      due: sum("due"),
      retrying: sum("retrying"),
      oldestPendingAgeSeconds: ages.length > 0 ? Math.max(...ages) : null,
      deliveredLastMinute: sum("lastMinute"),
      deliveredLastHour: sum("lastHour"),
      dead: sum("dead"),
      health: h ? (h.failingSince ? "failing" : "healthy") : "unknown",
      failingSince: h?.failingSince ?? null,
      lastError: h?.lastError ?? null,
    };
  });
}
