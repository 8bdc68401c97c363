import { createHash } from "node:crypto";
import { AppError } from "@loans/shared";
import type { Kysely } from "kysely";
import type { PeDB } from "../db.ts";
import type { CreateAgreementInput } from "./agreements.schemas.ts";

/**
 * The request's fingerprint, taken from the validated and normalised input: "300000" and "300000.00",
 * or a passport written with spaces, are the same request.
 */
export function requestHash(input: CreateAgreementInput): string {
  return createHash("sha256").update(canonicalJson(input)).digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * The agreement an earlier request with this key created, when the bodies match; IDEMPOTENCY_KEY_REUSED
 * when they do not; null when the key is new.
 */
export async function priorAgreement(db: Kysely<PeDB>, key: string, hash: string): Promise<string | null> {
  const prior = await db
    .selectFrom("agreements")
    .select(["id", "request_hash"])
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
  if (!prior) return null;
  if (prior.request_hash !== hash) {
    throw new AppError("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with another request body", [
      { path: "Idempotency-Key", message: "already used with another body" },
    ]);
  }
  return prior.id;
}

/** A concurrent request with the same key committed first: the unique index on the key refused ours. */
export function lostIdempotencyRace(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === "23505" && e.constraint === "agreements_idempotency_key";
}
