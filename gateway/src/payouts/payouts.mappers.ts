import { cursorCodec } from "@loans/shared/http/cursor";
import { toMoney } from "@loans/shared/money";
import { z } from "zod";
import type { ListPosition, PayoutRow } from "./payouts.repository.ts";
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

// The cursor is opaque to clients: base64url of [created_at to the microsecond, payout id].
const cursor = cursorCodec(z.tuple([z.iso.datetime({ precision: 6 }), z.uuid()]));

export const encodeCursor = (p: ListPosition): string => cursor.encode([p.createdKey, p.id]);

export function decodeCursor(text: string): ListPosition {
  const [createdKey, id] = cursor.decode(text);
  return { createdKey, id };
}
