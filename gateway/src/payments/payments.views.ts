import { toMoney } from "@loans/shared/money";
import type { PaymentRow } from "./payments.repository.ts";
import type { PaymentView } from "./payments.schemas.ts";

export const toPaymentView = (r: PaymentRow): PaymentView => ({
  id: r.id,
  agreementId: r.agreement_id,
  amount: toMoney(r.amount),
  purpose: r.purpose,
  status: r.status,
  failureCode: r.failure_code,
  failureMessage: r.failure_message,
  createdAt: r.created_at.toISOString(),
  succeededAt: r.succeeded_at?.toISOString() ?? null,
});
