import { createdAtKey } from "@loans/shared/http/cursor";
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import type { ApplicationStatus, ApplicationsTable, OriginationDB } from "../db.ts";

export type ApplicationRow = Selectable<ApplicationsTable>;
export type ListedApplicationRow = ApplicationRow & { created_key: string };

/** An application as intake stores it; its status follows from whether PE's withdrawal came first. */
export interface NewApplication {
  agreement_id: string;
  client_id: string;
  product_code: string;
  birth_date: string;
  monthly_income: string;
  principal: string;
  term_months: number;
  interest_rate: string;
  monthly_payment: string;
  last_due_date: string;
  /** Null: the column's default, the UTC date it arrived. */
  application_date: string | null;
  payload_hash: string;
  request_id: string | null;
}

/**
 * Inserts the applications whose agreement is not known yet, in the order given, in one statement, and
 * returns the rows it made; an agreement known already, or earlier in the list, is left as it is. Each
 * opens WITHDRAWN when PE's withdrawal of it is remembered (withdrawals/), else IN_PROGRESS: the
 * withdrawals are read by the insert itself, so the caller must hold the agreements' locks first
 * (lockAgreements), which a withdrawal takes too. A statement of the same text whatever the count, so a
 * connection prepares it once (shared/src/db.ts).
 */
export async function insertApplications(
  trx: Transaction<OriginationDB>,
  rows: readonly NewApplication[],
): Promise<ApplicationRow[]> {
  if (rows.length === 0) return [];
  const column = <K extends keyof NewApplication>(k: K) => rows.map((r) => r[k]);
  const { rows: made } = await sql<ApplicationRow>`
    insert into applications (agreement_id, client_id, status, product_code, birth_date, monthly_income, principal,
                              term_months, interest_rate, monthly_payment, last_due_date, application_date,
                              payload_hash, request_id)
    select d.agreement_id, d.client_id,
           case when exists (select 1 from withdrawals w where w.agreement_id = d.agreement_id)
                then 'WITHDRAWN' else 'IN_PROGRESS' end,
           d.product_code, d.birth_date, d.monthly_income, d.principal, d.term_months, d.interest_rate,
           d.monthly_payment, d.last_due_date,
           -- The column's default (0005), spelled out: a select cannot ask for DEFAULT.
           coalesce(d.application_date, (now() at time zone 'UTC')::date),
           d.payload_hash, d.request_id
    from unnest(
      ${column("agreement_id")}::uuid[],
      ${column("client_id")}::uuid[],
      ${column("product_code")}::text[],
      ${column("birth_date")}::date[],
      ${column("monthly_income")}::numeric[],
      ${column("principal")}::numeric[],
      ${column("term_months")}::int[],
      ${column("interest_rate")}::numeric[],
      ${column("monthly_payment")}::numeric[],
      ${column("last_due_date")}::date[],
      ${column("application_date")}::date[],
      ${column("payload_hash")}::text[],
      ${column("request_id")}::text[]
    ) with ordinality as d(agreement_id, client_id, product_code, birth_date, monthly_income, principal,
                           term_months, interest_rate, monthly_payment, last_due_date, application_date,
                           payload_hash, request_id, n)
    order by d.n
    on conflict (agreement_id) do nothing
    returning *`.execute(trx);
  return made;
}

/** The applications of these agreements that exist, in no particular order. */
export async function findApplications(
  trx: Transaction<OriginationDB>,
  agreementIds: readonly string[],
): Promise<ApplicationRow[]> {
  if (agreementIds.length === 0) return [];
  return trx
    .selectFrom("applications")
    .selectAll()
    .where(sql<boolean>`agreement_id = any(${agreementIds as string[]}::uuid[])`)
    .execute();
}

export async function findApplication(
  db: Kysely<OriginationDB>,
  agreementId: string,
): Promise<ApplicationRow | undefined> {
  return db.selectFrom("applications").selectAll().where("agreement_id", "=", agreementId).executeTakeFirst();
}

/** Where a page starts: strictly after this (created_at, agreement_id) in descending order. */
export interface ListPosition {
  /** created_at to the microsecond, as `created_key` gave it: a JS Date would drop the microseconds. */
  createdKey: string;
  agreementId: string;
}

/** One page, newest first, plus one row more than asked so the caller knows whether another page exists. */
export async function listApplications(
  db: Kysely<OriginationDB>,
  opts: { status?: ApplicationStatus | undefined; limit: number; after?: ListPosition | undefined },
): Promise<ListedApplicationRow[]> {
  let q = db.selectFrom("applications").selectAll().select(createdAtKey().as("created_key"));
  if (opts.status) q = q.where("status", "=", opts.status);
  if (opts.after) {
    const { createdKey, agreementId } = opts.after;
    q = q.where(sql<boolean>`(created_at, agreement_id) < (${createdKey}::timestamptz, ${agreementId}::uuid)`);
  }
  return q
    .orderBy("created_at", "desc")
    .orderBy("agreement_id", "desc")
    .limit(opts.limit + 1)
    .execute();
}

/** APPROVED → PAYMENT_PENDING once PE has the decision; any other status stays. True when it moved. */
export async function markPaymentPending(trx: Transaction<OriginationDB>, agreementId: string): Promise<boolean> {
  return (await markManyPaymentPending(trx, [agreementId])) > 0;
}

/** markPaymentPending for many agreements in one statement; answers how many moved. */
export async function markManyPaymentPending(
  trx: Transaction<OriginationDB>,
  agreementIds: readonly string[],
): Promise<number> {
  if (agreementIds.length === 0) return 0;
  const r = await trx
    .updateTable("applications")
    .set({ status: "PAYMENT_PENDING", updated_at: sql`now()` })
    .where(sql<boolean>`agreement_id = any(${agreementIds as string[]}::uuid[])`)
    .where("status", "=", "APPROVED")
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
