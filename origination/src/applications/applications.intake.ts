import { agreementCreated } from "@loans/contracts";
import { AppError } from "@loans/shared";
import {
  type Applied,
  type ReceivedOf,
  setBasedHandler,
  type TopicHandler,
  type WireMessage,
} from "@loans/shared/outbox";

type AgreementCreated = ReceivedOf<typeof agreementCreated>;

import type { Transaction } from "kysely";
import type { OriginationDB } from "../db.ts";
import { lockAgreements } from "../withdrawals/withdrawals.repository.ts";
import { toIntakeAnswer } from "./applications.mappers.ts";
import { type ApplicationRow, findApplications, insertApplications } from "./applications.repository.ts";
import type { IntakeAnswer } from "./applications.schemas.ts";
import { payloadHash } from "./payload-hash.ts";

/**
 * `agreement.created` from PE: the agreement becomes an IN_PROGRESS application, in the batch's
 * transaction; that row is scoring's work item (scoring/scoring.worker.ts), nothing else is queued. A
 * repeat answers the application's current state, the decision included when there is one (PE may have
 * lost an earlier answer); the same agreement id with other data is refused for that item. When PE's
 * withdrawal of it came first (withdrawals/), the application opens as WITHDRAWN and is never scored.
 *
 * A batch's messages are applied together (setBasedHandler), in a fixed number of statements: the
 * agreements' locks, one insert that reads the remembered withdrawals and skips known agreements, and
 * only when some were known, one read of those.
 */
export const agreementCreatedHandler: TopicHandler<OriginationDB, AgreementCreated> = setBasedHandler(
  agreementCreated,
  receiveAgreements,
);

async function receiveAgreements(
  trx: Transaction<OriginationDB>,
  messages: WireMessage<AgreementCreated>[],
): Promise<Applied<IntakeAnswer>[]> {
  const items = messages.map(({ payload: p, requestId }) => ({
    p,
    // The contract's parser made it canonical: the uuid as PostgreSQL spells it, to match the rows.
    key: p.agreementId,
    hash: payloadHash(p),
    requestId,
  }));
  // Under the agreements' locks, so that a withdrawal of one of them is either committed and seen by the
  // insert, or waits for this batch to commit and then finds the application.
  await lockAgreements(
    trx,
    messages.map((m) => m.payload.agreementId),
  );
  const created = await insertApplications(
    trx,
    items.map(({ p, hash, requestId }) => ({
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
      application_date: p.applicationDate ?? null,
      payload_hash: hash,
      request_id: requestId ?? null,
    })),
  );
  const made = new Map(created.map((r) => [r.agreement_id, r]));
  const known = [...new Set(items.filter((i) => !made.has(i.key)).map((i) => i.key))];
  const existing = new Map((await findApplications(trx, known)).map((r) => [r.agreement_id, r]));
  // A new row answers the message that made it; a later message of the same agreement in the batch meets
  // it as a known application, as it would one message at a time.
  const answered = new Set<string>();
  return items.map(({ p, key, hash }) => {
    const row = made.get(key);
    if (row && !answered.has(key)) {
      answered.add(key);
      return ok(row);
    }
    const before = row ?? existing.get(key);
    // The insert met a row it cannot see: deleted since, which nothing does; let PE try again.
    if (!before) throw new Error(`application ${p.agreementId} conflicted but is not there`);
    if (before.payload_hash !== hash) {
      return new AppError("CONFLICT", `agreement ${p.agreementId} was received before with different data`);
    }
    return ok(before);
  });
}

const ok = (row: ApplicationRow) => ({ outcome: "ok" as const, result: toIntakeAnswer(row) });
