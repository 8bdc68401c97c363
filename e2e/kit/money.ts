import { Dec } from "@loans/shared/money";
import { waitFor } from "@loans/shared/test-kit/wait";
import pg from "pg";
import { checkPayouts, type PayoutReport } from "./invariants.ts";
import { converged } from "./scenario.ts";
import type { System } from "./system.ts";

export interface MoneyReport {
  agreements: number;
  payments: number;
  allocations: number;
  refunds: number;
  journals: number;
  /**
   * Money in = allocated + unapplied + refunded, to the kopeck, over the whole system: `in` is what PE
   * took (and must equal what PG collected), `refunded` what went or is going back to payers.
   */
  totals: { in: string; collected: string; allocated: string; unapplied: string; refunded: string };
  /** Item 4 and the payout part of item 7, as checkPayouts reports them. */
  payouts: PayoutReport;
  violations: string[];
}

/** Runs each query on one connection; answers their rows in order. */
async function queries(url: string, texts: readonly string[]): Promise<Array<Array<Record<string, string>>>> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const out: Array<Array<Record<string, string>>> = [];
    for (const t of texts) out.push((await c.query<Record<string, string>>(t)).rows);
    return out;
  } finally {
    await c.end();
  }
}

// Each PE check answers one row per breach, with a `v` that says what is wrong; money is cast to text so
// it compares as PostgreSQL's exact numeric, never as a float.
const PE_CHECKS = [
  // 2: each payment accounted for exactly: allocations (REFUND included) + unapplied + refunded whole.
  `select 'payment ' || p.id || ' of ' || p.amount || ': allocated ' || coalesce(a.s, 0) || ', unapplied '
          || coalesce(f.remaining, 0) || ', refunded whole ' || p.refund_whole as v
   from payments p
   left join (select payment_id, sum(amount) s from allocations group by 1) a on a.payment_id = p.id
   left join unapplied_funds f on f.payment_id = p.id
   where p.amount <> coalesce(a.s, 0) + coalesce(f.remaining, 0) + case when p.refund_whole then p.amount else 0 end`,
  // A payment refunded whole is never allocated (§8.6).
  `select 'payment ' || p.id || ' was refunded whole and also allocated' as v from payments p
   where p.refund_whole and (exists (select 1 from allocations a where a.payment_id = p.id)
                             or exists (select 1 from unapplied_funds f where f.payment_id = p.id))`,
  // 3: per period within bounds; no negative funds; principal repaid at most once.
  `select 'agreement ' || agreement_id || ' period ' || period || ': interest ' || paid_interest || '/' || interest
          || ', principal ' || paid_principal || '/' || principal || ', penalty ' || paid_penalty || '/' || penalty as v
   from schedule_payments
   where paid_interest not between 0 and interest or paid_principal not between 0 and principal
      or paid_penalty not between 0 and penalty or penalty < 0`,
  `select 'unapplied funds of payment ' || payment_id || ' are ' || remaining as v from unapplied_funds where remaining < 0`,
  `select 'agreement ' || a.id || ': principal allocations ' || s.s || ' exceed the principal ' || a.principal as v
   from agreements a join (select agreement_id, sum(amount) s from allocations where component = 'PRINCIPAL' group by 1) s
     on s.agreement_id = a.id
   where s.s > a.principal`,
  // 5: a closed loan is settled, and what it gave back is exactly its excess.
  `select 'agreement ' || a.id || ' is CLOSED with period ' || s.period || ' ' || s.status
          || ' (penalty ' || s.paid_penalty || '/' || s.penalty || ')' as v
   from agreements a join schedule_payments s on s.agreement_id = a.id
   where a.status = 'CLOSED' and (s.status <> 'PAID' or s.paid_penalty <> s.penalty)`,
  `select 'agreement ' || a.id || ' is CLOSED with unapplied funds ' || f.remaining as v
   from agreements a join unapplied_funds f on f.agreement_id = a.id where a.status = 'CLOSED'`,
  `select 'agreement ' || a.id || ': refunds ' || coalesce(r.s, 0) || ', excess ' || coalesce(x.s, 0)
          || ' + refunded whole ' || coalesce(w.s, 0) as v
   from agreements a
   left join (select agreement_id, sum(amount) s from refunds group by 1) r on r.agreement_id = a.id
   left join (select agreement_id, sum(amount) s from allocations where component = 'REFUND' group by 1) x
     on x.agreement_id = a.id
   left join (select agreement_id, sum(amount) s from payments where refund_whole group by 1) w on w.agreement_id = a.id
   where a.status = 'CLOSED' and coalesce(r.s, 0) <> coalesce(x.s, 0) + coalesce(w.s, 0)`,
  `select 'agreement ' || a.id || ' is ' || a.status || ' and has refunds' as v
   from agreements a where a.status <> 'CLOSED' and exists (select 1 from refunds r where r.agreement_id = a.id)`,
  // 6: every journal balances; the ledger's accounts are the stored figures.
  `select 'journal ' || journal_id || ': debit ' || sum(debit) || ', credit ' || sum(credit) as v
   from ledger_entries group by journal_id having sum(debit) <> sum(credit)`,
  `with bal as (
     select agreement_id,
            sum(debit - credit) filter (where account = 'LOAN_PRINCIPAL') lp,
            sum(debit - credit) filter (where account = 'PENALTY_RECEIVABLE') pr,
            sum(debit - credit) filter (where account = 'INTEREST_RECEIVABLE') ir,
            sum(debit - credit) filter (where account = 'CLIENT_FUNDS') cf
     from ledger_entries group by 1
   ), figures as (
     select a.id,
            (select sum(principal - paid_principal) from schedule_payments s where s.agreement_id = a.id) principal,
            (select sum(penalty - paid_penalty) from schedule_payments s where s.agreement_id = a.id) penalty,
            coalesce((select sum(remaining) from unapplied_funds f where f.agreement_id = a.id), 0)
              + coalesce((select sum(amount) from refunds r where r.agreement_id = a.id and r.status = 'PENDING'), 0) funds
     from agreements a where a.status in ('ACTIVE', 'CLOSED')
   )
   select 'agreement ' || f.id || ': ledger LOAN_PRINCIPAL ' || coalesce(b.lp, 0) || ' / PENALTY_RECEIVABLE '
          || coalesce(b.pr, 0) || ' / CLIENT_FUNDS ' || coalesce(b.cf, 0) || ' / INTEREST_RECEIVABLE ' || coalesce(b.ir, 0)
          || '; schedule principal ' || f.principal || ', penalty ' || f.penalty || ', funds ' || f.funds as v
   from figures f left join bal b on b.agreement_id = f.id
   where coalesce(b.lp, 0) <> f.principal or coalesce(b.pr, 0) <> f.penalty or coalesce(b.cf, 0) <> -f.funds
      or coalesce(b.ir, 0) < 0`,
  // EXCEPTIONS §4.2 item 15: the PSK's amount is Σ payments of the schedule it was computed on − the money
  // received (the stored version once final, the indicative rows before); final exactly from the disbursement.
  `select 'agreement ' || a.id || ' (' || a.status || '): PSK ' || coalesce(a.psk_amount::text, 'missing')
          || coalesce(' final ' || a.psk_final || ' on version ' || a.psk_schedule_version, '')
          || ', Σ payments ' || coalesce(s.s::text, '-') || ' − ' || a.disbursement_amount as v
   from agreements a
   left join lateral (
     select sum(payment) s from schedule_versions v where v.agreement_id = a.id and v.version = a.psk_schedule_version
       and a.psk_final
     union all
     select sum(payment) from schedule_payments p where p.agreement_id = a.id and not a.psk_final
   ) s on s.s is not null
   where a.psk_amount is distinct from s.s - a.disbursement_amount
      or a.psk_final is distinct from (a.status in ('ACTIVE', 'CLOSED'))
      or a.psk_schedule_version > a.schedule_version`,
  // EXCEPTIONS §4.2 item 14: under NONE a period falls due when it ends; under NEXT_WORKING_DAY it falls due
  // on or after its end and before the next one ends, and, for a loan dated by the calendar now in force,
  // every due date after the business date (the manual clock's latest move, else today UTC) is a working day.
  `select 'agreement ' || s.agreement_id || ' period ' || s.period || ': ' || p.due_date_shift || ' due '
          || s.due_date || ', ends ' || s.period_end || ', the next ends ' || coalesce(n.period_end::text, '-') as v
   from schedule_payments s join agreements a on a.id = s.agreement_id join products p on p.code = a.product_code
   left join schedule_payments n on n.agreement_id = s.agreement_id and n.period = s.period + 1
   where (p.due_date_shift = 'NONE' and s.due_date <> s.period_end)
      or s.due_date < s.period_end or s.due_date >= n.period_end`,
  `select 'agreement ' || a.id || ' period ' || s.period || ' falls due on ' || s.due_date
          || ', not a working day in calendar version ' || a.calendar_version as v
   from schedule_payments s join agreements a on a.id = s.agreement_id
   left join calendar_years y on y.year = extract(year from s.due_date)
   where a.status = 'ACTIVE' and a.calendar_version = (select version from calendar_version)
     and s.due_date > coalesce((select max(date) from business_date), (now() at time zone 'utc')::date)
     and (s.due_date = any(coalesce(y.non_working_days, '{}'))
          or (extract(isodow from s.due_date) in (6, 7) and not s.due_date = any(coalesce(y.working_weekends, '{}'))))`,
  `select 'agreement ' || a.id || ' is ' || a.status || ' and has ledger entries' as v
   from agreements a where a.status not in ('ACTIVE', 'CLOSED')
     and exists (select 1 from ledger_entries l where l.agreement_id = a.id)`,
];

/**
 * LIFECYCLE §3.2's money invariants by SQL on PE's and PG's databases: items 1, 2, 3, 5, 6 and 7 here,
 * item 4 (and the payout half of 7) through checkPayouts. Meant for a system at rest: no outbox row
 * pending, no PG payment still with the bank (settledWithMoney waits for that); before then a payment PG
 * has collected and PE not yet applied is a breach of item 1.
 */
export async function checkMoney(system: System): Promise<MoneyReport> {
  const peUrl = system.databases.pe;
  const gatewayUrl = system.databases.gateway;
  const violations: string[] = [];
  const say = (v: string) => {
    if (violations.length < 50) violations.push(v);
  };
  const peChecks = await queries(peUrl, PE_CHECKS);
  for (const found of peChecks) for (const r of found) say(r.v!);

  const [counts, pePayments, peRefunds, totals] = await queries(peUrl, [
    `select (select count(*) from agreements) agreements, (select count(*) from payments) payments,
            (select count(*) from allocations) allocations, (select count(*) from refunds) refunds,
            (select count(distinct journal_id) from ledger_entries) journals`,
    "select id, agreement_id, amount::text from payments",
    "select payout_id, agreement_id, amount::text from refunds",
    `select (select coalesce(sum(amount), 0) from payments)::text as "in",
            (select coalesce(sum(amount), 0) from allocations where component <> 'REFUND')::text allocated,
            (select coalesce(sum(remaining), 0) from unapplied_funds)::text unapplied,
            ((select coalesce(sum(amount), 0) from allocations where component = 'REFUND')
              + (select coalesce(sum(amount), 0) from payments where refund_whole))::text refunded`,
  ]);
  const [gwPayments, gwRefunds, collections] = await queries(gatewayUrl, [
    "select id::text, agreement_id::text, amount::text from payments where status = 'SUCCEEDED'",
    "select id::text, agreement_id::text, amount::text, status from payouts where kind = 'REFUND'",
    // PG's payments against the bank's collections (transfers IN, id = payment id): collected once, of
    // the payment's amount, SUCCEEDED exactly when the bank settled it, at the bank's instant.
    `select 'PG payment ' || coalesce(p.id, t.id) || ' ' || coalesce(p.status, 'missing') || ' of '
            || coalesce(p.amount::text, '-') || ': bank collection ' || coalesce(t.status, 'missing') || ' of '
            || coalesce(t.amount::text, '-') || ', at ' || coalesce(p.succeeded_at::text, '-') || ' / '
            || coalesce(t.settled_at::text, '-') as v
     from payments p full join (select * from bank.transfers where direction = 'IN') t on t.id = p.id
     where p.id is null or (p.status = 'SUCCEEDED') <> (t.status is not distinct from 'SETTLED')
        or (p.status = 'FAILED' and t.status is distinct from 'FAILED') or t.amount <> p.amount
        -- PG holds the instant as JavaScript does, to the millisecond; the bank's column has microseconds.
        or (p.status = 'SUCCEEDED' and p.succeeded_at is distinct from date_trunc('milliseconds', t.settled_at))`,
  ]);
  for (const r of collections!) say(r.v!);

  // 1: PE applied every payment PG collected, each once, for the same agreement and amount; nothing else.
  const collected = new Map(gwPayments!.map((p) => [p.id!, p]));
  for (const p of pePayments!) {
    const g = collected.get(p.id!);
    if (!g) say(`PE payment ${p.id} (${p.amount}) is not a SUCCEEDED payment in PG`);
    else if (g.agreement_id !== p.agreement_id || !new Dec(g.amount!).eq(p.amount!))
      say(`payment ${p.id}: PE has ${p.agreement_id}/${p.amount}, PG ${g.agreement_id}/${g.amount}`);
  }
  const applied = new Set(pePayments!.map((p) => p.id!));
  for (const g of gwPayments!) if (!applied.has(g.id!)) say(`PG payment ${g.id} (${g.amount}) never reached PE`);
  const perAgreement = (list: Array<Record<string, string>>) => {
    const m = new Map<string, Dec>();
    for (const p of list) m.set(p.agreement_id!, (m.get(p.agreement_id!) ?? new Dec(0)).plus(p.amount!));
    return m;
  };
  const peIn = perAgreement(pePayments!);
  const gwIn = perAgreement(gwPayments!);
  for (const id of new Set([...peIn.keys(), ...gwIn.keys()])) {
    const a = peIn.get(id) ?? new Dec(0);
    const b = gwIn.get(id) ?? new Dec(0);
    if (!a.eq(b)) say(`agreement ${id}: PE payments ${a.toFixed(2)}, PG SUCCEEDED ${b.toFixed(2)}`);
  }

  // 7: refunds paid never exceed what was collected; each PE refund is one PG payout of its id and amount.
  const refundPaid = perAgreement(gwRefunds!.filter((r) => r.status === "PAID"));
  for (const [id, paid] of refundPaid) {
    const inflow = gwIn.get(id) ?? new Dec(0);
    if (paid.gt(inflow)) say(`agreement ${id}: refunds PAID ${paid.toFixed(2)} > payments ${inflow.toFixed(2)}`);
  }
  const payouts = new Map(gwRefunds!.map((r) => [r.id!, r]));
  for (const r of peRefunds!) {
    const g = payouts.get(r.payout_id!);
    if (!g) say(`refund ${r.payout_id} (${r.amount}) has no REFUND payout in PG`);
    else if (g.agreement_id !== r.agreement_id || !new Dec(g.amount!).eq(r.amount!))
      say(`refund ${r.payout_id}: PE ${r.agreement_id}/${r.amount}, PG ${g.agreement_id}/${g.amount}`);
  }
  const ordered = new Set(peRefunds!.map((r) => r.payout_id!));
  for (const g of gwRefunds!) if (!ordered.has(g.id!)) say(`PG REFUND payout ${g.id} was never ordered by PE`);

  const t = totals![0]!;
  const accounted = new Dec(t.allocated!).plus(t.unapplied!).plus(t.refunded!);
  const collectedTotal = gwPayments!.reduce((s, p) => s.plus(p.amount!), new Dec(0));
  if (!accounted.eq(t.in!))
    say(
      `money in ${money(t.in!)} ≠ allocated ${money(t.allocated!)} + unapplied ${money(t.unapplied!)} + refunded ${money(t.refunded!)}`,
    );
  if (!collectedTotal.eq(t.in!)) say(`money in ${money(t.in!)} ≠ collected by PG ${collectedTotal.toFixed(2)}`);

  const payoutReport = await checkPayouts(peUrl, gatewayUrl);
  for (const v of payoutReport.violations) say(v);
  const c = counts![0]!;
  return {
    agreements: Number(c.agreements),
    payments: Number(c.payments),
    allocations: Number(c.allocations),
    refunds: Number(c.refunds),
    journals: Number(c.journals),
    totals: {
      in: money(t.in!),
      collected: collectedTotal.toFixed(2),
      allocated: money(t.allocated!),
      unapplied: money(t.unapplied!),
      refunded: money(t.refunded!),
    },
    payouts: payoutReport,
    violations,
  };
}

/**
 * Waits until the system is at rest — every service converged with every outbox empty (as
 * settledWithPayouts), and no PG payment still with the bank — then checks the money once. The report's
 * violations are for the caller to assert on: at rest they are breaches, not lag.
 */
export async function settledWithMoney(system: System, timeoutMs = 60_000): Promise<MoneyReport> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await converged(system, Math.max(1_000, deadline - Date.now()));
    await waitFor(async () => (await processing(system.databases.gateway)) === 0, {
      timeoutMs: Math.max(1_000, deadline - Date.now()),
      everyMs: 100,
      what: "PG's payments to leave the bank",
    });
    // A payment the bank settled just now has put a new message in PG's outbox: settle again.
    const sync = await system.check();
    if (sync.violations.length === 0) return checkMoney(system);
  }
}

const money = (x: string) => new Dec(x).toFixed(2);

async function processing(gatewayUrl: string): Promise<number> {
  const [r] = await queries(gatewayUrl, ["select count(*)::text n from payments where status = 'PROCESSING'"]);
  return Number(r![0]!.n);
}
