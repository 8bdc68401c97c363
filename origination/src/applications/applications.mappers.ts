import { AppError } from "@loans/shared";
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
const position = z.tuple([
  z.iso.datetime({ precision: 6 }).refine((s) => !s.startsWith("0000"), "year 0 does not exist"),
  z.uuid(),
]);

export const encodeCursor = (p: ListPosition): string =>
  Buffer.from(JSON.stringify([p.createdKey, p.agreementId])).toString("base64url");

export function decodeCursor(cursor: string): ListPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    decoded = undefined;
  }
  const r = position.safeParse(decoded);
  if (!r.success) {
    throw new AppError("VALIDATION_FAILED", "cursor is invalid", [
      { path: "cursor", message: "not a cursor this API gave out" },
    ]);
  }
  return { createdKey: r.data[0], agreementId: r.data[1] };
}
