import Router from "@koa/router";
import type { Logger, Metrics } from "@loans/shared";
import { idempotency } from "@loans/shared/http/idempotency";
import type { RouteDoc } from "@loans/shared/http/openapi";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { PeDB } from "../db.ts";
import { peError } from "../errors.ts";
import { notFoundUnless, parseParts, parseRequest, pathId } from "../http/inputs.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import { AGREEMENT_STATUSES } from "../lifecycle/transitions.ts";
import { agreementExample, agreementPageExample, agreementRequestExample } from "../openapi.examples.ts";
import { findProduct, type Product } from "../records/products.repository.ts";
import { encodeCursor } from "./agreements.cursor.ts";
import { listAgreements } from "./agreements.repository.ts";
import {
  type AgreementResponse,
  agreementCounts,
  agreementListResponse,
  agreementResponse,
  type CreateAgreementInput,
  createAgreementBody,
  createAgreementHeaders,
  listAgreementsQuery,
} from "./agreements.schemas.ts";
import { type Application, applyProductBounds, loadAgreement, openAgreement } from "./agreements.service.ts";
import { toAgreementSummary } from "./agreements.views.ts";
import { agreementGroups } from "./create-group.ts";

export interface AgreementRouteDeps {
  db: Kysely<PeDB>;
  clock: BusinessClock;
  log?: Logger;
  metrics?: Metrics;
  /** Called once an agreement's transaction (and so its outbox row) has committed: wakes the relay. */
  afterCommit: () => void;
}

/** POST /agreements, GET /agreements/counts, GET /agreements/{id} and GET /agreements: one function per route. */
export function agreementRoutes(deps: AgreementRouteDeps): Router {
  const router = new Router();
  createRoute(router, deps);
  // Before /agreements/:id, which would take "counts" for an id.
  countsRoute(router, deps.db);
  router.get("/agreements/:id", async (ctx) => {
    const id = pathId(ctx.params.id, "agreement");
    ctx.body = notFoundUnless(await loadAgreement(deps.db, id, deps.clock), "agreement");
  });
  listRoute(router, deps.db);
  return router;
}

function createRoute(router: Router, deps: AgreementRouteDeps): void {
  const { db } = deps;
  // The agreement as it reads now answers a key carried over from the agreements table (0004).
  const keys = idempotency(db, { reload: (id) => loadAgreement(db, id, deps.clock) });
  const groups = agreementGroups({
    db,
    clock: deps.clock,
    afterCommit: deps.afterCommit,
    log: deps.log,
    metrics: deps.metrics,
  });
  const application = applicationChecks();

  router.post("/agreements", async (ctx) => {
    const [headers, input] = parseParts(
      { schema: createAgreementHeaders, value: { "Idempotency-Key": ctx.get("Idempotency-Key") || undefined } },
      { schema: createAgreementBody, value: ctx.request.body },
    );
    const key = headers["Idempotency-Key"];
    let created: AgreementResponse | null = null;
    // Only a request without an Idempotency-Key joins a group commit (create-group.ts), once its own
    // checks have passed. One with a key keeps a transaction of its own, which inserts the key's row and
    // may wait on another request holding the key: a wait that must not hold up a group.
    if (!key) {
      created = await groups.open(await application(db, input));
      if (created) {
        const answer = createdAnswer(created);
        ctx.status = answer.status;
        ctx.set(answer.headers);
        ctx.body = answer.body;
      }
    }
    // With a key, or alone after its group was rolled back.
    if (!created) {
      const { replayed, answer } = await keys.run(ctx, { key, input }, async (trx) =>
        createdAnswer(await openAgreement(trx, await application(trx, input), deps.clock)),
      );
      if (replayed) return;
      deps.afterCommit();
      created = answer.body as AgreementResponse;
    }
    // The client's personal data is masked by the logger: enough to match a support call, not to read it.
    deps.log?.info("agreement created", {
      agreementId: created.id,
      productCode: input.productCode,
      principal: created.principal,
      termMonths: input.termMonths,
      client: input.client,
    });
  });
}

const createdAnswer = (created: AgreementResponse) => ({
  status: 201,
  body: created,
  headers: { Location: `/agreements/${created.id}` },
  resourceId: created.id,
});

/** The request's own checks, before any group: its product exists and its terms are within its bounds. */
function applicationChecks(): (q: Kysely<PeDB>, input: CreateAgreementInput) => Promise<Application> {
  // Products are never changed or deleted once created (there is no route for it), so one found stays
  // right for the life of the process; an unknown code is looked up again each time.
  const products = new Map<string, Product>();
  // Read through the request's transaction when it has one: it must not wait for a second connection
  // while holding one.
  async function productByCode(q: Kysely<PeDB>, code: string): Promise<Product | null> {
    const known = products.get(code);
    if (known) return known;
    const found = await findProduct(q, code);
    if (found) products.set(code, found);
    return found;
  }
  return async (q, input) => {
    const product = await productByCode(q, input.productCode);
    if (!product) {
      throw peError("UNKNOWN_PRODUCT", `no product ${input.productCode}`, [
        { path: "productCode", message: "no such product" },
      ]);
    }
    return { input, product, terms: applyProductBounds(product, input) };
  };
}

function countsRoute(router: Router, db: Kysely<PeDB>): void {
  router.get("/agreements/counts", async (ctx) => {
    const rows = await db
      .selectFrom("agreements")
      .select(["status", (eb) => eb.fn.countAll<string>().as("n")])
      .groupBy("status")
      .execute();
    ctx.body = {
      counts: Object.fromEntries(AGREEMENT_STATUSES.map((s) => [s, Number(rows.find((r) => r.status === s)?.n ?? 0)])),
    };
  });
}

function listRoute(router: Router, db: Kysely<PeDB>): void {
  router.get("/agreements", async (ctx) => {
    const q = parseRequest(listAgreementsQuery, ctx.query, "query");
    const { limit } = q;
    const rows = await listAgreements(db, {
      status: q.status,
      clientId: q.clientId,
      passportEndsWith: q.passportEndsWith,
      after: q.cursor,
      limit,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    ctx.body = {
      items: page.map(toAgreementSummary),
      nextCursor: rows.length > limit && last ? encodeCursor({ at: last.cursor_at, id: last.id }) : null,
    };
  });
}

const idParam = z.object({ id: z.uuid() });

const agreementNotFound = { code: "NOT_FOUND", message: "agreement not found" };

export const agreementDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/agreements/counts",
    access: { role: "viewer", apiKey: true },
    operationId: "countAgreements",
    summary: "How many agreements are in each status (every status listed, 0 where none): the pipeline at a glance",
    tags: ["agreements"],
    responses: {
      200: {
        description: "a count per status",
        body: agreementCounts,
        example: {
          counts: {
            NEW: 0,
            IN_PROGRESS: 2,
            APPROVED: 41,
            REJECTED: 7,
            WITHDRAWN: 3,
            DISBURSING: 1,
            ACTIVE: 118,
            DISBURSEMENT_FAILED: 0,
            CLOSED: 25,
          },
        },
      },
    },
  },
  {
    method: "post",
    path: "/agreements",
    access: { role: "officer", apiKey: true },
    operationId: "createAgreement",
    summary: "Apply for a loan: finds or creates the client, opens the agreement in NEW with its schedule",
    tags: ["agreements"],
    headers: createAgreementHeaders,
    body: createAgreementBody,
    bodyExample: agreementRequestExample,
    responses: {
      201: {
        description:
          "created; a replay of an earlier request with this Idempotency-Key and body answers the same status " +
          "and body, with Idempotent-Replayed: true",
        body: agreementResponse,
        example: agreementExample,
        headers: {
          Location: "the new agreement: `/agreements/{id}`",
          "Idempotent-Replayed": "`true` when this answers a replay of an earlier request with the key",
        },
      },
      400: { description: "invalid fields or Idempotency-Key, every one listed" },
      409: {
        description: "the passport is on record with another identity, or the Idempotency-Key is in use",
        errors: [
          {
            code: "CLIENT_MISMATCH",
            message: "a client with this passport is on record with another identity",
            details: [{ path: "client.lastName", message: "differs from the client on record with this passport" }],
          },
          {
            code: "IDEMPOTENCY_KEY_IN_USE",
            message: "a request with this Idempotency-Key is still being processed; try again shortly",
            details: [{ path: "Idempotency-Key", message: "in use by a request in progress" }],
          },
        ],
      },
      422: {
        description: "an unknown product, terms outside the product's bounds, or an Idempotency-Key reused",
        errors: [
          {
            code: "UNKNOWN_PRODUCT",
            message: "no product NOPE",
            details: [{ path: "productCode", message: "no such product" }],
          },
          {
            code: "OUT_OF_BOUNDS",
            message: "outside the bounds of product CL1.0",
            details: [{ path: "termMonths", message: "term in months 30 is outside 3–24", value: 30, min: 3, max: 24 }],
          },
          {
            code: "IDEMPOTENCY_KEY_REUSED",
            message: "this Idempotency-Key was used with another request body",
            details: [{ path: "Idempotency-Key", message: "already used with another body" }],
          },
        ],
      },
    },
  },
  {
    method: "get",
    path: "/agreements/{id}",
    access: { role: "viewer", apiKey: true },
    operationId: "getAgreement",
    summary: "One agreement with its status history, decision and schedule",
    tags: ["agreements"],
    params: idParam,
    responses: {
      200: { description: "the agreement", body: agreementResponse, example: agreementExample },
      404: { description: "no such agreement (an id that is not a uuid names none)", errors: [agreementNotFound] },
    },
  },
  {
    method: "get",
    path: "/agreements",
    access: { role: "viewer", apiKey: true },
    operationId: "listAgreements",
    summary: "Agreements, newest first, a page at a time",
    tags: ["agreements"],
    query: listAgreementsQuery,
    responses: {
      200: {
        description: "a page; nextCursor is null on the last",
        body: agreementListResponse,
        example: agreementPageExample,
      },
      400: { description: "invalid filter, limit or cursor" },
    },
  },
];
