import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { ClientsTable, PeDB } from "../db.ts";
import type { ClientInput } from "./clients.schemas.ts";

export type Client = Selectable<ClientsTable>;

/** The client, and the transaction's start time (`now()`), read in the same round trip. */
export type UpsertedClient = Client & { transaction_time: Date };

/**
 * Finds or creates the client by passport in one statement that concurrent requests cannot race:
 * a new passport is inserted; a known one gets its contact details and income updated (and a middle
 * name filled in if it had none). The identity fields come back as stored, for the caller to compare;
 * on a mismatch it throws and the transaction takes the update back.
 */
export async function upsertClient(trx: Transaction<PeDB>, c: ClientInput): Promise<UpsertedClient> {
  return trx
    .insertInto("clients")
    .values({
      passport_number: c.passportNumber,
      first_name: c.firstName,
      last_name: c.lastName,
      middle_name: c.middleName ?? null,
      birth_date: c.birthDate,
      email: c.email,
      phone: c.phone,
      monthly_income: c.monthlyIncome,
    })
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
    .executeTakeFirstOrThrow();
}

export async function findClient(db: Kysely<PeDB>, id: string): Promise<Client | null> {
  return (await db.selectFrom("clients").selectAll().where("id", "=", id).executeTakeFirst()) ?? null;
}
