import { AppError } from "@loans/shared";
import type { ItemOutcome, TopicHandler } from "@loans/shared/outbox";
import type { PgBoss } from "pg-boss";
import type { OriginationDB } from "../db.ts";
import { enqueueScoring } from "../scoring/scoring.queue.ts";
import { isWithdrawn, lockAgreement } from "../withdrawals/withdrawals.repository.ts";
import { toIntakeAnswer } from "./applications.mappers.ts";
import { findApplication, insertApplication } from "./applications.repository.ts";
import { type AgreementCreated, agreementCreatedPayload, type IntakeAnswer } from "./applications.schemas.ts";
import { payloadHash } from "./payload-hash.ts";

export const CREATED_TOPIC = "agreement.created";

/**
 * `agreement.created` from PE: the agreement becomes an IN_PROGRESS application with its scoring job,
 * both in the batch's transaction. A repeat answers the application's current state, the decision
 * included when there is one (PE may have lost an earlier answer); the same agreement id with other
 * data is refused for that item. When PE's withdrawal of it came first (withdrawals/), the application
 * opens as WITHDRAWN and is never scored.
 */
export function agreementCreatedHandler(deps: { boss: PgBoss }): TopicHandler<OriginationDB, AgreementCreated> {
  return {
    payload: agreementCreatedPayload,
    async handle(trx, message): Promise<ItemOutcome<IntakeAnswer>> {
      const p = message.payload;
      const hash = payloadHash(p);
      await lockAgreement(trx, p.agreementId);
      const withdrawn = await isWithdrawn(trx, p.agreementId);
      const created = await insertApplication(trx, {
        agreement_id: p.agreementId,
        client_id: p.clientId,
        product_code: p.productCode,
        birth_date: p.birthDate,
        monthly_income: p.monthlyIncome,
        principal: p.principal,
        term_months: p.termMonths,
        interest_rate: p.interestRate,
        monthly_payment: p.monthlyPayment,
        last_due_date: p.lastDueDate,
        // Without it (an older PE), the column's default: the UTC date it arrived.
        ...(p.applicationDate !== undefined && { application_date: p.applicationDate }),
        payload_hash: hash,
        ...(withdrawn && { status: "WITHDRAWN" as const }),
      });
      if (created) {
        if (!withdrawn) await enqueueScoring(deps.boss, trx, p.agreementId);
        return { outcome: "ok", result: toIntakeAnswer(created) };
      }
      const existing = await findApplication(trx, p.agreementId);
      // The insert met a row it cannot see: deleted since, which nothing does; let PE try again.
      if (!existing) throw new Error(`application ${p.agreementId} conflicted but is not there`);
      if (existing.payload_hash !== hash) {
        throw new AppError("CONFLICT", `agreement ${p.agreementId} was received before with different data`);
      }
      return { outcome: "ok", result: toIntakeAnswer(existing) };
    },
  };
}
