import Router from "@koa/router";
import { agreementStatusChanged } from "@loans/contracts";
import type { Metrics } from "@loans/shared";
import type { RouteDoc } from "@loans/shared/http/openapi";
import { batchEndpoint, exampleBatch, messageBatch, type ReceivedOf, type TopicHandler } from "@loans/shared/outbox";
import type { Kysely } from "kysely";
import type { AnnouncedStatus, GatewayDB } from "../db.ts";
import { gatewayError } from "../errors.ts";

type StatusChanged = ReceivedOf<typeof agreementStatusChanged>;

/**
 * What PG keeps of an announced status × the next announcement: forward only. ACTIVE → CLOSED;
 * DISBURSEMENT_FAILED never follows ACTIVE nor precedes it. "same" keeps what is recorded.
 */
export function nextAnnounced(
  current: AnnouncedStatus | null,
  incoming: AnnouncedStatus,
): "take" | "same" | "contradiction" {
  if (current === null) return "take";
  if (current === incoming) return "same";
  if (current === "ACTIVE" && incoming === "CLOSED") return "take";
  if (current === "CLOSED" && incoming === "ACTIVE") return "same";
  return "contradiction";
}

const handler: TopicHandler<GatewayDB, StatusChanged> = {
  topic: agreementStatusChanged,
  async handle(trx, message) {
    const p = message.payload;
    const id = p.agreementId;
    const current = await trx
      .selectFrom("agreement_statuses")
      .select("status")
      .where("agreement_id", "=", id)
      .forUpdate()
      .executeTakeFirst();
    const next = nextAnnounced(current?.status ?? null, p.status);
    if (next === "contradiction")
      throw gatewayError("CONTRADICTION", `agreement ${id} is ${current?.status} here; ${p.status} contradicts it`);
    if (next === "take") {
      await trx
        .insertInto("agreement_statuses")
        .values({ agreement_id: id, status: p.status, status_on: p.on, status_at: new Date(p.at) })
        .onConflict((oc) =>
          oc
            .column("agreement_id")
            .doUpdateSet({ status: p.status, status_on: p.on, status_at: new Date(p.at), updated_at: new Date() }),
        )
        .execute();
      return { outcome: "ok", result: { status: p.status } };
    }
    return { outcome: "ok", result: { status: current!.status } };
  },
};

/** POST /internal/agreement-events: PE's announcements of an agreement's status, for payments to come. */
export function agreementEventRoutes(deps: { db: Kysely<GatewayDB>; metrics?: Metrics }): Router {
  const router = new Router();
  router.post("/internal/agreement-events", batchEndpoint(deps.db, [handler], { metrics: deps.metrics }));
  return router;
}

export const agreementEventDocs: RouteDoc[] = [
  {
    method: "post",
    path: "/internal/agreement-events",
    operationId: "receiveAgreementEvents",
    summary:
      "Agreement statuses from PE's outbox (ACTIVE, CLOSED, DISBURSEMENT_FAILED), kept forward-only; each item " +
      "answered with the status PG now records",
    tags: ["internal"],
    access: "service",
    body: messageBatch(agreementStatusChanged),
    bodyExample: exampleBatch(agreementStatusChanged, { id: "57", createdAt: "2026-11-29T17:40:00.180Z" }),
    responses: {
      200: { description: "one result per message, the status PG records: `{status}`" },
    },
  },
];
