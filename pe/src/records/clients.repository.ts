import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { ClientsTable, PeDB } from "../db.ts";
import type { ClientInput } from "./clients.schemas.ts";

export type Client = Selectable<ClientsTable>;

/** The client, and the transaction's start time (`now()`), read in the same round trip. */
export type UpsertedClient = Client & { transaction_time: Date };

/**
 * Finds or creates each client by passport in one statement that concurrent requests cannot race:
 * a new passport is inserted; a known one gets its contact details and income updated (and a middle
 * name filled in if it had none). The identity fields come back as stored, for the caller to compare;
 * on a mismatch it throws and the transaction takes the update back. The passports must differ (one
 * statement cannot update a row twice). Rows are written in passport order, so two transactions with
 * passports in common lock them in the same order and cannot deadlock; the answer is in the order given.
 */
export async function upsertClients(trx: Transaction<PeDB>, list: ClientInput[]): Promise<UpsertedClient[]> {
  const sorted = [...list].sort((a, b) => compare(a.passportNumber, b.passportNumber));
  const column = <T>(pick: (c: ClientInput) => T) => sorted.map(pick);
  const rows = await trx
    .insertInto("clients")
    .columns([
      "passport_number",
      "first_name",
      "last_name",
      "middle_name",
      "birth_date",
      "email",
      "phone",
      "monthly_income",
    ])
    // One statement text whatever the number of clients: each connection prepares it once.
    .expression(
      sql`select * from unnest(
        ${column((c) => c.passportNumber)}::text[], ${column((c) => c.firstName)}::text[],
        ${column((c) => c.lastName)}::text[], ${column((c) => c.middleName ?? null)}::text[],
        ${column((c) => c.birthDate)}::date[], ${column((c) => c.email)}::text[],
        ${column((c) => c.phone)}::text[], ${column((c) => c.monthlyIncome)}::numeric[])`,
    )
    .onConflict((oc) =>
      oc.column("passport_number").doUpdateSet({
        email: (eb) => eb.ref("excluded.email"),
        phone: (eb) => eb.ref("excluded.phone"),
        monthly_income: (eb) => eb.ref("excluded.monthly_income"),
        middle_name: sql`coalesce(clients.middle_name, excluded.middle_name)`,
        updated_at: sql`now()`,
      }),
    )
    .returningAll()
    .returning(sql<Date>`now()`.as("transaction_time"))
    .execute();
  const byPassport = new Map(rows.map((r) => [r.passport_number, r]));
  return list.map((c) => {
    const row = byPassport.get(c.passportNumber);
    if (!row) throw new Error("a client upserted did not come back");
    return row;
  });
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function findClient(db: Kysely<PeDB>, id: string): Promise<Client | null> {
  return (await db.selectFrom("clients").selectAll().where("id", "=", id).executeTakeFirst()) ?? null;
}
