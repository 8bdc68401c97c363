import Router from "@koa/router";
import type { RouteDoc } from "@loans/shared/http/openapi";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { PeDB } from "../db.ts";
import { notFoundUnless, pathId } from "../http/inputs.ts";
import { clientExample } from "../openapi.examples.ts";
import { findClient } from "../records/clients.repository.ts";
import { clientResponse, toClientResponse } from "../records/clients.schemas.ts";

export function clientRoutes(deps: { db: Kysely<PeDB> }): Router {
  const router = new Router();
  router.get("/clients/:id", async (ctx) => {
    const id = pathId(ctx.params.id, "client");
    ctx.body = toClientResponse(notFoundUnless(await findClient(deps.db, id), "client"));
  });
  return router;
}

export const clientDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/clients/{id}",
    access: { role: "viewer", apiKey: true },
    operationId: "getClient",
    summary: "One client",
    tags: ["clients"],
    params: z.object({ id: z.uuid() }),
    responses: {
      200: { description: "the client", body: clientResponse, example: clientExample },
      404: { description: "no such client", errors: [{ code: "NOT_FOUND", message: "client not found" }] },
    },
  },
];
