import { cursorCodec } from "@loans/shared/http/cursor";
import { z } from "zod";
import type { Reason } from "../scoring/rules.ts";
import type { ApplicationRow, ListPosition } from "./applications.repository.ts";
import type { ApplicationView, DecisionView, IntakeAnswer } from "./applications.schemas.ts";

export function decisionOf(row: ApplicationRow): DecisionView | null {
  if (row.decision_result === null || row.decided_at === null) return null;
  return {
    result: row.decision_result,
    reasons: (row.decision_reasons ?? []) as Reason[],
    decidedAt: row.decided_at.toISOString(),
  };
}

export const toIntakeAnswer = (row: ApplicationRow): IntakeAnswer => ({
  status: row.status,
  decision: decisionOf(row),
});

export const toApplicationView = (row: ApplicationRow): ApplicationView => ({
  agreementId: row.agreement_id,
  clientId: row.client_id,
  status: row.status,
  decision: decisionOf(row),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

// The cursor is opaque to clients: base64url of [created_at to the microsecond, agreement id].
const cursor = cursorCodec(
  z.tuple([z.iso.datetime({ precision: 6 }).refine((s) => !s.startsWith("0000"), "year 0 does not exist"), z.uuid()]),
);

export const encodeCursor = (p: ListPosition): string => cursor.encode([p.createdKey, p.agreementId]);

export function decodeCursor(text: string): ListPosition {
  const [createdKey, agreementId] = cursor.decode(text);
  return { createdKey, agreementId };
}
