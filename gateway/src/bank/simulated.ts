import { type Kysely, sql } from "kysely";
import { type BankAdapter, BankUnavailable, type Transfer, type TransferOrder } from "./bank.ts";
import { type BankBehaviour, callFate, plan, type TransferPlan } from "./draws.ts";

interface TransferRow {
  id: string;
  amount: string;
  account_number: string;
  status: "ACCEPTED" | "SETTLED" | "FAILED";
  planned_status: "SETTLED" | "FAILED";
  planned_failure_code: string | null;
  failure_code: string | null;
  settles_at: Date;
  settled_at: Date | null;
}

export interface BankCall {
  op: "submit" | "get";
  outcome: "ok" | "unknown";
}

/**
 * The simulated bank of LIFECYCLE §2.7 over its tables in the `bank` schema. Idempotent by transfer id;
 * a transfer settles `latency` after acceptance, as the bank's clock has it: the first look after that
 * instant records the settlement with `settled_at` = that instant, so it does not matter whether anyone
 * looked in time, or whether PG was running at all. Each call first counts itself (committed on its own,
 * so a lost call still counts), then draws its fate from the seed (draws.ts).
 */
export function simulatedBank<DB>(
  db: Kysely<DB>,
  behaviour: BankBehaviour,
  onCall?: (c: BankCall) => void,
): BankAdapter {
  const lost = (op: "submit" | "get", id: string) => {
    onCall?.({ op, outcome: "unknown" });
    return new BankUnavailable(op, `bank ${op} of transfer ${id} timed out`);
  };

  return {
    async submitTransfer(order: TransferOrder): Promise<Transfer> {
      const n = await countCall(db, order.id, "submit");
      const fate = callFate(behaviour, order.id, "submit", n, order.accountNumber);
      if (fate === "lost-before") throw lost("submit", order.id);
      await acceptTransfer(db, order, plan(behaviour, order.id, order.accountNumber, order.direction));
      if (fate === "lost-after") throw lost("submit", order.id);
      const t = await findTransfer(db, order.id);
      if (!t) throw new Error(`bank transfer ${order.id} vanished`);
      onCall?.({ op: "submit", outcome: "ok" });
      return t;
    },

    async getTransfer(id: string): Promise<Transfer | null> {
      const n = await countCall(db, id, "get");
      if (callFate(behaviour, id, "get", n) !== "ok") throw lost("get", id);
      const t = await findTransfer(db, id);
      onCall?.({ op: "get", outcome: "ok" });
      return t;
    },
  };
}

/** Counts a call, committed on its own; answers its number among the calls of its kind for the transfer. */
async function countCall<DB>(db: Kysely<DB>, id: string, op: "submit" | "get"): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    insert into bank.calls (transfer_id, op, n) values (${id}::uuid, ${op}, 1)
    on conflict (transfer_id, op) do update set n = bank.calls.n + 1
    returning n`.execute(db);
  return rows[0]!.n;
}

/** Accepts a transfer once (a repeat of its id changes nothing), settled at once if its latency is 0. */
async function acceptTransfer<DB>(db: Kysely<DB>, order: TransferOrder, p: TransferPlan): Promise<void> {
  const immediate = p.latencyMs === 0;
  await sql`
    insert into bank.transfers (id, amount, account_number, direction, status, planned_status,
                                planned_failure_code, failure_code, settles_at, settled_at)
    values (${order.id}::uuid, ${order.amount}::numeric, ${order.accountNumber}, ${order.direction},
            ${immediate ? p.outcome : "ACCEPTED"}, ${p.outcome}, ${p.failureCode},
            ${immediate ? p.failureCode : null},
            clock_timestamp() + ${p.latencyMs} * interval '1 millisecond',
            ${immediate ? sql`clock_timestamp()` : null})
    on conflict (id) do nothing`.execute(db);
}

async function findTransfer<DB>(db: Kysely<DB>, id: string): Promise<Transfer | null> {
  // Settles a due transfer on the way: the outcome planned at acceptance, at the planned instant.
  const { rows } = await sql<TransferRow>`
    with settled as (
      update bank.transfers
      set status = planned_status, failure_code = planned_failure_code, settled_at = settles_at
      where id = ${id}::uuid and status = 'ACCEPTED' and settles_at <= clock_timestamp()
      returning *)
    select * from settled
    union all
    select * from bank.transfers where id = ${id}::uuid and not exists (select 1 from settled)`.execute(db);
  const r = rows[0];
  return r ? toTransfer(r) : null;
}

function toTransfer(r: TransferRow): Transfer {
  return {
    id: r.id,
    amount: r.amount,
    accountNumber: r.account_number,
    status: r.status,
    failureCode: r.failure_code,
    settledAt: r.settled_at,
  };
}
