import { defineTopic } from "@loans/shared/outbox/topic";
import { z } from "zod";
import { canonicalId, EXAMPLE } from "../fields.ts";

/** What PE sends when the client takes an application back (PE → Origination, `/internal/withdrawals`). */
export interface AgreementWithdrawn {
  agreementId: string;
  withdrawnAt: string;
}

/** `agreement.withdrawn`: the application is WITHDRAWN whatever it was; Origination answers so. */
export const agreementWithdrawn = defineTopic<AgreementWithdrawn>()({
  name: "agreement.withdrawn",
  version: 1,
  summary: "The client withdrew the application: Origination withdraws it, decided or not",
  payload: z.object({ agreementId: canonicalId(), withdrawnAt: z.iso.datetime({ offset: true }) }),
  answer: z.object({ status: z.literal("WITHDRAWN") }),
  example: {
    payload: { agreementId: EXAMPLE.agreementId, withdrawnAt: "2026-11-29T17:40:00.180Z" },
    answer: { status: "WITHDRAWN" },
  },
});
