import type { AgreementCreated } from "@loans/contracts";
import { agreementCreatedEvent } from "@loans/contracts/events/index";
import { toMoney } from "@loans/shared/money";
import type { Transaction } from "kysely";
import type { PeDB } from "../db.ts";
import { emitPeEvent } from "../lifecycle/events.ts";
import type { NewAgreement } from "./agreements.repository.ts";

/** What openAgreements drafted for one agreement, as the event reads it. */
interface Drafted {
  agreement: NewAgreement;
  schedule: ReadonlyArray<{ dueDate: string }>;
  payload: AgreementCreated;
}

/**
 * `agreement.created` for agreements opened in the caller's transaction, one INSERT for all: the terms and
 * the indicative schedule's summary, on the business date they were opened on. Not the internal topic's
 * payload: that one carries the client's birth date and income for scoring, which no listener gets.
 */
export async function emitAgreementsCreated(trx: Transaction<PeDB>, drafts: readonly Drafted[], today: string) {
  await emitPeEvent(
    trx,
    agreementCreatedEvent,
    drafts.map(({ agreement: a, schedule, payload }) => ({
      subject: a.id,
      data: {
        agreementId: a.id,
        clientId: a.client_id,
        productCode: a.product_code,
        status: "NEW" as const,
        disbursementAmount: toMoney(a.disbursement_amount),
        originationFee: toMoney(a.origination_fee),
        principal: toMoney(a.principal),
        termMonths: a.term_months,
        interestRate: payload.interestRate,
        monthlyPayment: toMoney(a.monthly_payment),
        firstDueDate: schedule[0]!.dueDate,
        lastDueDate: schedule.at(-1)!.dueDate,
        psk:
          a.psk_percent === null || a.psk_amount === null
            ? null
            : { percent: String(a.psk_percent), amount: toMoney(a.psk_amount) },
      },
    })),
    today,
  );
}
