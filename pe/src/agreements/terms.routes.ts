import Router from "@koa/router";
import type { RouteDoc } from "@loans/shared/http/openapi";
import type { Kysely } from "kysely";
import { z } from "zod";
import type { PeDB } from "../db.ts";
import { notFoundUnless, pathId } from "../http/inputs.ts";
import type { BusinessClock } from "../lifecycle/business-date.ts";
import { loadAgreement } from "./agreements.service.ts";
import { termsSheet } from "./terms.html.ts";

/** GET /agreements/{id}/terms: the individual terms as a printable page, read as GET /agreements/{id} reads. */
export function termsRoutes(deps: { db: Kysely<PeDB>; clock: BusinessClock }): Router {
  const router = new Router();
  router.get("/agreements/:id/terms", async (ctx) => {
    const id = pathId(ctx.params.id, "agreement");
    const agreement = notFoundUnless(await loadAgreement(deps.db, id, deps.clock), "agreement");
    ctx.type = "text/html; charset=utf-8";
    ctx.body = termsSheet(agreement);
  });
  return router;
}

export const termsDocs: RouteDoc[] = [
  {
    method: "get",
    path: "/agreements/{id}/terms",
    operationId: "getAgreementTerms",
    access: { role: "viewer", apiKey: true },
    summary: "The individual terms as a printable page: the PSK framed in the top right corner of page 1",
    description:
      "The Bank of Russia's table layout (amount, term, currency, rate, payments, fee) and the schedule, a moved " +
      "due date marked; the PSK (percent and roubles) in a frame in the top right corner of the first page " +
      "(353-FZ art. 6 part 14). Indicative until the disbursement. Print it from a browser (A4).",
    tags: ["agreements"],
    params: z.object({ id: z.uuid() }),
    responses: {
      200: {
        description: "the page",
        // An outline, not the whole page: the styling may change without the documented contract changing.
        html:
          '<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>Индивидуальные условия …</title>' +
          "<style>@page { size: A4; margin: 15mm; } …</style></head><body><header><div><h1>Индивидуальные " +
          'условия договора потребительского кредита</h1>…</div><aside class="psk-frame" id="psk">' +
          '<div class="psk-title">ПОЛНАЯ СТОИМОСТЬ КРЕДИТА</div><div class="psk-percent">15,655&nbsp;%</div>' +
          '<div class="psk-amount">26&nbsp;043,27&nbsp;₽</div></aside></header><table class="conditions">…</table>' +
          '<h2>График платежей</h2><table class="schedule">…</table></body></html>',
      },
      404: {
        description: "no such agreement (an id that is not a uuid names none)",
        errors: [{ code: "NOT_FOUND", message: "agreement not found" }],
      },
    },
  },
];
