import { Dec } from "@loans/shared/money";
import { computeLoanState, type LoanState, type LoanTerms, payoffQuote } from "../../pe/src/servicing/index.ts";
import { api } from "../kit/client.ts";
import { rows } from "../kit/invariants.ts";
import { random } from "../kit/requests.ts";

/**
 * The independent path of the soak: a seeded sample of disbursed loans recomputed by the pure core
 * (`computeLoanState`) from what PE stored — version 1 of the schedule, the loan's terms and its
 * value-dated payments, read by SQL — and compared field by field with GET /agreements/{id} (and the
 * payoff quote of a loan still open), with PE's stored rows (periods' paid columns and status, penalty
 * accruals per period, allocations, unapplied funds) and with the ledger's balance per account, derived
 * here from LIFECYCLE §3.2 item 6 rather than from PE's own ledger code.
 */
export async function recomputeSample(opts: {
  peDb: string;
  peUrl: string;
  size: number;
  seed: number;
}): Promise<{ checked: number; violations: string[] }> {
  const ids = (
    await rows<{ id: string }>(opts.peDb, "select id from agreements where status in ('ACTIVE', 'CLOSED') order by id")
  ).map((r) => r.id);
  const rnd = random(opts.seed + 101);
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const violations: string[] = [];
  const sample = ids.slice(0, opts.size);
  for (const id of sample) {
    const found = await recomputeOne(opts.peDb, opts.peUrl, id);
    violations.push(...found.slice(0, 5).map((v) => `loan ${id}: ${v}`));
  }
  return { checked: sample.length, violations };
}

async function recomputeOne(peDb: string, peUrl: string, id: string): Promise<string[]> {
  const out: string[] = [];
  const differ = (what: string, mine: unknown, theirs: unknown) => {
    const a = JSON.stringify(canon(mine));
    const b = JSON.stringify(canon(theirs));
    if (a !== b) out.push(`${what}: recomputed ${a}, PE ${b}`);
  };
  const [a] = await rows<Record<string, string>>(
    peDb,
    `select a.status, a.interest_rate::text rate, to_char(a.disbursed_on, 'YYYY-MM-DD') disbursed_on,
            to_char(a.closed_on, 'YYYY-MM-DD') closed_on, a.principal::text principal,
            a.disbursement_amount::text disbursement_amount, a.origination_fee::text fee,
            p.amortization, p.penalty_rate::text penalty_rate, p.penalty_grace_days::text grace
     from agreements a join products p on p.code = a.product_code where a.id = '${id}'`,
  );
  // Version 1's amounts on the dates as they stand now: a calendar change moves only dates still ahead
  // (EXCEPTIONS §3.9), and its CALENDAR versions take their places in the log.
  const schedule = await rows<Record<string, string>>(
    peDb,
    `select v.period, to_char(s.period_end, 'YYYY-MM-DD') "periodEnd", to_char(s.due_date, 'YYYY-MM-DD') "dueDate",
            v.payment::text, v.principal::text, v.interest::text
     from schedule_versions v join schedule_payments s using (agreement_id, period)
     where v.agreement_id = '${id}' and v.version = 1 order by v.period`,
  );
  const redatings = await rows<{ version: number; on: string }>(
    peDb,
    `select distinct version, to_char(effective_on, 'YYYY-MM-DD') "on" from schedule_versions
     where agreement_id = '${id}' and reason = 'CALENDAR' order by version`,
  );
  const payments = await rows<Record<string, string>>(
    peDb,
    `select id::text, amount::text, to_char(value_date, 'YYYY-MM-DD') "valueDate", purpose, refund_whole
     from payments where agreement_id = '${id}'`,
  );
  const terms: LoanTerms = {
    schedule: schedule.map((r) => ({
      period: Number(r.period),
      periodEnd: r.periodEnd!,
      dueDate: r.dueDate!,
      payment: r.payment!,
      principal: r.principal!,
      interest: r.interest!,
    })),
    disbursedOn: a!.disbursed_on!,
    annualRate: a!.rate!,
    amortization: a!.amortization as LoanTerms["amortization"],
    penaltyRate: a!.penalty_rate!,
    penaltyGraceDays: Number(a!.grace),
    redatings: redatings.map((r) => ({ version: Number(r.version), on: r.on })),
  };
  const allocated = payments
    .filter((p) => !(p.refund_whole as unknown as boolean))
    .map((p) => ({
      id: p.id!,
      amount: p.amount!,
      valueDate: p.valueDate!,
      purpose: p.purpose as "REGULAR" | "EARLY_REPAYMENT",
    }));
  const view = (await api(peUrl, "GET", `/agreements/${id}`)).body;
  const businessDate: string = view.businessDate;
  const asOf = [businessDate, terms.disbursedOn, a!.closed_on ?? businessDate].sort().at(-1)!;
  const s = computeLoanState(terms, allocated, asOf);

  // GET /agreements/{id}
  differ("status", s.closed ? "CLOSED" : "ACTIVE", view.status);
  differ("closedOn", s.closedOn, view.closedOn);
  differ("scheduleVersion", s.scheduleVersion, view.scheduleVersion);
  differ("currentPayment", s.currentPayment, view.currentPayment);
  differ("balances", s.balances, view.balances);
  differ("delinquency", s.delinquency, view.delinquency);
  differ("schedule", s.periods, view.schedule);
  if (!s.closed && view.status === "ACTIVE") {
    const q = (await api(peUrl, "GET", `/agreements/${id}/payoff-quote`)).body;
    const mine = payoffQuote(terms, allocated, businessDate);
    differ(
      "payoff quote",
      { date: mine.date, amount: mine.amount, components: mine.components },
      {
        date: q.date,
        amount: q.amount,
        components: q.components,
      },
    );
  }

  // The stored rows: the state's materialisation.
  const stored = await rows<Record<string, string>>(
    peDb,
    `select s.period, to_char(s.due_date, 'YYYY-MM-DD') "dueDate", s.status, s.principal::text, s.interest::text,
            s.paid_principal::text "paidPrincipal", s.paid_interest::text "paidInterest", s.penalty::text,
            s.paid_penalty::text "paidPenalty", to_char(s.paid_on, 'YYYY-MM-DD') "paidOn",
            coalesce((select sum(amount) from penalty_accruals p where p.agreement_id = s.agreement_id
                      and p.period = s.period), 0)::numeric(14,2)::text accrued
     from schedule_payments s where s.agreement_id = '${id}' order by s.period`,
  );
  // The stored rows are as of the last daily job (the view computes on the business date): compare them
  // with the state on the day the loan was last brought up to date.
  const [cob] = await rows<{ d: string | null }>(
    peDb,
    `select to_char(last_cob_date, 'YYYY-MM-DD') d from agreements where id = '${id}'`,
  );
  const storedAsOf = s.closed ? asOf : [cob?.d ?? asOf, terms.disbursedOn].sort().at(-1)!;
  const t = storedAsOf === asOf ? s : computeLoanState(terms, allocated, storedAsOf);
  const periodFields = (p: LoanState["periods"][number]) => ({
    period: p.period,
    dueDate: p.dueDate,
    status: p.status,
    principal: p.principal,
    interest: p.interest,
    paidPrincipal: p.paidPrincipal,
    paidInterest: p.paidInterest,
    penalty: p.penalty,
    paidPenalty: p.paidPenalty,
    paidOn: p.paidOn,
  });
  differ(
    "stored periods",
    t.periods.map(periodFields),
    stored.map(({ accrued: _, period, ...r }) => ({ period: Number(period), ...r })),
  );
  for (const r of stored)
    if (r.accrued !== r.penalty) out.push(`period ${r.period}: penalty ${r.penalty}, its accruals sum to ${r.accrued}`);
  const allocations = await rows<Record<string, string>>(
    peDb,
    `select payment_id::text "paymentId", to_char(on_date, 'YYYY-MM-DD') "on", period, component, amount::text
     from allocations where agreement_id = '${id}'`,
  );
  const key = (r: { paymentId: string; on: string; period: unknown; component: string; amount: string }) =>
    `${r.paymentId} ${r.on} ${r.period ?? "-"} ${r.component} ${new Dec(r.amount).toFixed(2)}`;
  differ("allocations", t.allocations.map(key).sort(), allocations.map((r) => key(r as never)).sort());
  const funds = await rows<Record<string, string>>(
    peDb,
    `select payment_id::text "paymentId", purpose, remaining::text from unapplied_funds where agreement_id = '${id}'`,
  );
  differ(
    "unapplied funds",
    t.unapplied.map((f) => `${f.paymentId} ${f.purpose} ${f.remaining}`).sort(),
    funds.map((f) => `${f.paymentId} ${f.purpose} ${f.remaining}`).sort(),
  );

  // The ledger, per account, from §3.2 item 6: what each account must hold given the recomputed state.
  const ledger = new Map(
    (
      await rows<{ account: string; b: string }>(
        peDb,
        `select account, sum(debit - credit)::text b from ledger_entries where agreement_id = '${id}' group by 1`,
      )
    ).map((r) => [r.account, new Dec(r.b)]),
  );
  const refunds = await rows<{ status: string; amount: string }>(
    peDb,
    `select status, amount::text from refunds where agreement_id = '${id}'`,
  );
  const sum = (xs: Array<string | Dec>) => xs.reduce<Dec>((acc, x) => acc.plus(x), new Dec(0));
  const refunded = (status: string) => sum(refunds.filter((r) => r.status === status).map((r) => r.amount));
  const bal = (account: string) => (ledger.get(account) ?? new Dec(0)).toFixed(2);
  const paidInterest = sum(t.periods.map((p) => p.paidInterest));
  const penaltyPosted = sum(t.periods.map((p) => p.penalty));
  const expected: Record<string, Dec> = {
    LOAN_PRINCIPAL: new Dec(t.balances.principalOutstanding),
    PENALTY_RECEIVABLE: new Dec(t.balances.penaltyOutstanding),
    PENALTY_INCOME: penaltyPosted.neg(),
    CLIENT_FUNDS: new Dec(t.balances.unappliedFunds).plus(refunded("PENDING")).neg(),
    FEE_INCOME: new Dec(a!.fee!).neg(),
    SETTLEMENT: sum(payments.map((p) => p.amount!))
      .minus(a!.disbursement_amount!)
      .minus(refunded("PAID")),
    REFUND_PAYABLE: refunded("FAILED").neg(),
  };
  for (const [account, want] of Object.entries(expected)) differ(`ledger ${account}`, want.toFixed(2), bal(account));
  // Interest: what fell due less what was paid stays receivable; income is what fell due.
  differ(
    "ledger INTEREST_RECEIVABLE + INTEREST_INCOME",
    paidInterest.neg().toFixed(2),
    new Dec(bal("INTEREST_RECEIVABLE")).plus(bal("INTEREST_INCOME")).toFixed(2),
  );
  if (s.closed) differ("ledger INTEREST_RECEIVABLE of a closed loan", "0.00", bal("INTEREST_RECEIVABLE"));
  differ("ledger total", "0.00", sum([...ledger.values()]).toFixed(2));
  return out;
}

/** The value with every object's keys in order, so that two shapes compare by content alone. */
function canon(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(canon);
  if (x && typeof x === "object")
    return Object.fromEntries(
      Object.entries(x)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, canon(v)]),
    );
  return x;
}
