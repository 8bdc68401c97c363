import { toMoney } from "@loans/shared/money";
import type { PayoutRow } from "./payouts.repository.ts";
import type { PayoutAnswer, PayoutView } from "./payouts.schemas.ts";

export const toPayoutAnswer = (r: PayoutRow): PayoutAnswer => ({
  status: r.status,
  settledAt: r.settled_at?.toISOString() ?? null,
  failureCode: r.failure_code,
});

export const toPayoutView = (r: PayoutRow): PayoutView => ({
  id: r.id,
  kind: r.kind,
  agreementId: r.agreement_id,
  amount: toMoney(r.amount),
  currency: "RUB",
  destination: { accountNumber: r.account_number },
  status: r.status,
  failureCode: r.failure_code,
  failureMessage: r.failure_message,
  createdAt: r.created_at.toISOString(),
  settledAt: r.settled_at?.toISOString() ?? null,
});
