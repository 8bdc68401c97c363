import { createdAtKey } from "@loans/shared/http/cursor";
import { type Insertable, type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { AgreementStatus, AgreementsTable, PeDB } from "../db.ts";
import type { Cursor } from "./agreements.cursor.ts";

export type Agreement = Selectable<AgreementsTable>;

/** Inserts the agreement and answers the row as stored. */
export async function insertAgreement(trx: Transaction<PeDB>, values: Insertable<AgreementsTable>): Promise<Agreement> {
  return trx.insertInto("agreements").values(values).returningAll().executeTakeFirstOrThrow();
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
