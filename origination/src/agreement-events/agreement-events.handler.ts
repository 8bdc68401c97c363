import type { TopicHandler } from "@loans/shared/outbox/receiver";
import type { ItemOutcome } from "@loans/shared/outbox/types";
import { sql } from "kysely";
import { z } from "zod";
import { findApplication } from "../applications/applications.repository.ts";
import type { ApplicationStatus, OriginationDB } from "../db.ts";
import { originationError } from "../errors.ts";
import { lockAgreement } from "../withdrawals/withdrawals.repository.ts";
import { loanTransition } from "./transitions.ts";

export const STATUS_CHANGED_TOPIC = "agreement.status-changed";

/** The `agreement.status-changed` message from PE: the wire contract, field for field. */
export const statusChangedPayload = z.object({
  agreementId: z.uuid(),
  status: z.enum(["ACTIVE", "CLOSED", "DISBURSEMENT_FAILED"]),
  on: z.iso.date(),
  at: z.iso.datetime({ offset: true }),
});
export type StatusChanged = z.output<typeof statusChangedPayload>;

/**
 * `agreement.status-changed` from PE: the application follows its loan, forward only (transitions.ts),
 * and the answer is its status now. PE sends it only after agreement.created, in one ordered stream per
 * agreement, so an unknown application is refused (UNKNOWN_AGREEMENT) rather than remembered.
 */
export const statusChangedHandler: TopicHandler<OriginationDB, StatusChanged> = {
  payload: statusChangedPayload,
  async handle(trx, message): Promise<ItemOutcome<{ status: ApplicationStatus }>> {
    const p = message.payload;
    const id = p.agreementId.toLowerCase();
    await lockAgreement(trx, id);
    const app = await findApplication(trx, id);
    if (!app) throw originationError("UNKNOWN_AGREEMENT", `no application for agreement ${id}`);
    const t = loanTransition(app.status, p.status);
    if (t.kind === "contradiction")
      throw originationError("CONTRADICTION", `application ${id} is ${app.status}; ${p.status} contradicts it`);
    if (t.kind === "same") return { outcome: "ok", result: { status: app.status } };
    await trx
      .updateTable("applications")
      .set({
        status: t.to,
        updated_at: sql`now()`,
        ...(t.to === "ACTIVE" && { active_on: p.on }),
        ...(t.to === "CLOSED" && { closed_on: p.on }),
      })
      .where("agreement_id", "=", id)
      .execute();
    return { outcome: "ok", result: { status: t.to } };
  },
};
