import { rows } from "../kit/invariants.ts";

export interface TransferReport {
  payouts: number;
  /** Payouts with exactly one bank transfer (by id: the transfer id is the payout id). */
  payoutsWithOne: number;
  /** The most submits the bank saw for one payout: above 1, retries happened and still moved money once. */
  maxPayoutSubmits: number;
  payments: number;
  paymentsWithOne: number;
  maxPaymentSubmits: number;
  violations: string[];
}

/**
 * Transfers per payout and per payment, by SQL on PG's database at rest: every payout and every payment is
 * final and has exactly one bank transfer of its amount and direction, and the bank moved nothing else.
 */
export async function checkTransfers(gatewayDb: string): Promise<TransferReport> {
  const per = (table: "payouts" | "payments", direction: "OUT" | "IN") =>
    rows<{ n: string; one: string; submits: string | null; wrong: string; open: string }>(
      gatewayDb,
      `select count(*) n, count(t.id) one, max(c.n) submits,
              count(*) filter (where t.id is not null and (t.amount <> x.amount or t.direction <> '${direction}')) wrong,
              count(*) filter (where x.status in ('PENDING', 'IN_TRANSIT', 'PROCESSING')) open
       from ${table} x left join bank.transfers t on t.id = x.id
       left join bank.calls c on c.transfer_id = x.id and c.op = 'submit'`,
    );
  const [[o], [p], [orphans]] = await Promise.all([
    per("payouts", "OUT"),
    per("payments", "IN"),
    rows<{ n: string }>(
      gatewayDb,
      `select count(*) n from bank.transfers t
       where not exists (select 1 from payouts p where p.id = t.id) and not exists (select 1 from payments p where p.id = t.id)`,
    ),
  ]);
  const violations: string[] = [];
  for (const [what, r] of [
    ["payouts", o!],
    ["payments", p!],
  ] as const) {
    const missing = Number(r.n) - Number(r.one);
    if (missing > 0) violations.push(`${missing} ${what} without a bank transfer`);
    if (Number(r.wrong) > 0) violations.push(`${r.wrong} ${what} whose transfer has another amount or direction`);
    if (Number(r.open) > 0) violations.push(`${r.open} ${what} not final at rest`);
  }
  if (Number(orphans!.n) > 0) violations.push(`${orphans!.n} bank transfers with no payout or payment`);
  return {
    payouts: Number(o!.n),
    payoutsWithOne: Number(o!.one),
    maxPayoutSubmits: Number(o!.submits ?? 0),
    payments: Number(p!.n),
    paymentsWithOne: Number(p!.one),
    maxPaymentSubmits: Number(p!.submits ?? 0),
    violations,
  };
}
