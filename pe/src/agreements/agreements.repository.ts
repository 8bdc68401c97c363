import { createdAtKey } from "@loans/shared/http/cursor";
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { AgreementStatus, AgreementsTable, PeDB } from "../db.ts";
import type { Cursor } from "./agreements.cursor.ts";

export type Agreement = Selectable<AgreementsTable>;

/** An agreement to insert: its id is given, so the rows that come back are matched by it, not by order. */
export type NewAgreement = Pick<
  Agreement,
  | "id"
  | "client_id"
  | "product_code"
  | "disbursement_amount"
  | "origination_fee"
  | "principal"
  | "term_months"
  | "interest_rate"
  | "monthly_payment"
  | "psk_percent"
  | "psk_amount"
  | "psk_final"
  | "psk_schedule_version"
>;

/** Inserts the agreements, all created (and updated) at `at`, and answers the rows as stored, in the order given. */
export async function insertAgreements(trx: Transaction<PeDB>, list: NewAgreement[], at: Date): Promise<Agreement[]> {
  const column = <T>(pick: (a: NewAgreement) => T) => list.map(pick);
  const rows = await trx
    .insertInto("agreements")
    .columns([
      "id",
      "client_id",
      "product_code",
      "disbursement_amount",
      "origination_fee",
      "principal",
      "term_months",
      "interest_rate",
      "monthly_payment",
      "psk_percent",
      "psk_amount",
      "psk_final",
      "psk_schedule_version",
      "created_at",
      "updated_at",
    ])
    // One statement text whatever the number of agreements: each connection prepares it once.
    .expression(
      sql`select *, ${at}::timestamptz, ${at}::timestamptz from unnest(
        ${column((a) => a.id)}::uuid[], ${column((a) => a.client_id)}::uuid[], ${column((a) => a.product_code)}::text[],
        ${column((a) => a.disbursement_amount)}::numeric[], ${column((a) => a.origination_fee)}::numeric[],
        ${column((a) => a.principal)}::numeric[], ${column((a) => a.term_months)}::int[],
        ${column((a) => a.interest_rate)}::numeric[], ${column((a) => a.monthly_payment)}::numeric[],
        ${column((a) => a.psk_percent)}::numeric[], ${column((a) => a.psk_amount)}::numeric[],
        ${column((a) => a.psk_final)}::boolean[], ${column((a) => a.psk_schedule_version)}::int[])`,
    )
    .returningAll()
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  return list.map((a) => {
    const row = byId.get(a.id);
    if (!row) throw new Error("an agreement inserted did not come back");
    return row;
  });
}

export async function findAgreement(db: Kysely<PeDB>, id: string): Promise<Agreement | null> {
  return (await db.selectFrom("agreements").selectAll().where("id", "=", id).executeTakeFirst()) ?? null;
}

export interface AgreementFilter {
  status?: AgreementStatus;
  clientId?: string;
  /** Digits only (the schema says so), so they need no escaping in the pattern. */
  passportEndsWith?: string;
  after?: Cursor;
  limit: number;
}

/** One page, newest first, with each row's cursor; one row more than asked tells whether a next page exists. */
export function listAgreements(db: Kysely<PeDB>, f: AgreementFilter) {
  let q = db
    .selectFrom("agreements")
    .selectAll()
    .select(createdAtKey().as("cursor_at"))
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(f.limit + 1);
  if (f.status) q = q.where("status", "=", f.status);
  if (f.clientId) q = q.where("client_id", "=", f.clientId);
  if (f.passportEndsWith) {
    const pattern = `%${f.passportEndsWith}`;
    q = q.where("client_id", "in", (eb) =>
      eb.selectFrom("clients").select("id").where("passport_number", "like", pattern),
    );
  }
  if (f.after) q = q.where(sql<boolean>`(created_at, id) < (${f.after.at}::timestamptz, ${f.after.id}::uuid)`);
  return q.execute();
}
