import pg from "pg";

export interface SyncReport {
  agreements: number;
  applications: number;
  decided: number;
  converged: number;
  /** Agreements PE has that Origination never received. */
  lost: number;
  /** Effects applied more than once: repeated decisions, repeated outbox messages for one event. */
  duplicates: number;
  pendingPe: number;
  pendingOrigination: number;
  deadPe: number;
  deadOrigination: number;
  /** With the Payment Gateway's database only (checkPayouts). */
  payouts?: PayoutReport;
  violations: string[];
}

export async function rows<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text)).rows;
  } finally {
    await c.end();
  }
}

const count = async (url: string, text: string) => Number((await rows<{ n: string }>(url, text))[0]?.n ?? 0);

/** The PE status an Origination status must be matched by once both sides have settled. */
const expectedPeStatus: Record<string, string> = {
  IN_PROGRESS: "IN_PROGRESS",
  APPROVED: "APPROVED",
  PAYMENT_PENDING: "APPROVED",
  REJECTED: "REJECTED",
  WITHDRAWN: "WITHDRAWN",
  ACTIVE: "ACTIVE",
  CLOSED: "CLOSED",
  DISBURSEMENT_FAILED: "DISBURSEMENT_FAILED",
};

/** PE statuses Origination learns of only when they end: DISBURSING is still APPROVED there. */
const peStatusAsOrigination = (s: string) => (s === "DISBURSING" ? "APPROVED" : s);

/**
 * Checks, with SQL on both databases, that the two services agree: one application per agreement,
 * the same decision on both sides (or WITHDRAWN on both), nothing pending or dead in either outbox, nothing applied twice.
 */
export async function checkSync(
  peUrl: string,
  originationUrl: string,
  opts: { settled?: boolean; gatewayUrl?: string } = { settled: true },
): Promise<SyncReport> {
  const agreements = await rows<{ id: string; status: string; decision_result: string | null }>(
    peUrl,
    "select id, status, decision_result from agreements",
  );
  const applications = await rows<{ agreement_id: string; status: string; decision_result: string | null }>(
    originationUrl,
    "select agreement_id, status, decision_result from applications",
  );
  const apps = new Map(applications.map((a) => [a.agreement_id, a]));
  const violations: string[] = [];
  let lost = 0;
  let decided = 0;
  let converged = 0;
  for (const a of agreements) {
    const app = apps.get(a.id);
    if (!app) {
      lost++;
      if (violations.length < 20) violations.push(`agreement ${a.id} (${a.status}) has no application`);
      continue;
    }
    if (app.decision_result) decided++;
    const want = expectedPeStatus[app.status];
    const peStatus = peStatusAsOrigination(a.status);
    // WITHDRAWN on both sides agrees whatever each had decided: Origination keeps the decision it made,
    // and PE never records one that reached it after the withdrawal.
    const bothWithdrawn = a.status === "WITHDRAWN" && app.status === "WITHDRAWN";
    if (bothWithdrawn || (peStatus === want && (app.decision_result ?? null) === (a.decision_result ?? null)))
      converged++;
    else if (opts.settled && violations.length < 20)
      violations.push(
        `agreement ${a.id}: PE ${a.status}/${a.decision_result} vs Origination ${app.status}/${app.decision_result}`,
      );
  }
  const known = new Set(agreements.map((a) => a.id));
  for (const app of applications)
    if (!known.has(app.agreement_id)) violations.push(`application ${app.agreement_id} has no agreement`);

  const duplicates =
    (await count(
      peUrl,
      "select count(*) - count(distinct aggregate_id) as n from outbox where topic = 'agreement.created'",
    )) +
    (await count(
      peUrl,
      "select count(*) - count(distinct aggregate_id) as n from outbox where topic = 'agreement.withdrawn'",
    )) +
    (await count(
      originationUrl,
      "select count(*) - count(distinct aggregate_id) as n from outbox where topic = 'application.decided'",
    ));
  const flipped = await count(
    peUrl,
    "select count(*) as n from (select agreement_id from agreement_status_history where status in ('APPROVED', 'REJECTED') group by 1 having count(*) > 1) x",
  );
  if (duplicates > 0) violations.push(`${duplicates} duplicated outbox messages`);
  const payouts = opts.gatewayUrl ? await checkPayouts(peUrl, opts.gatewayUrl, opts) : undefined;
  if (payouts) violations.push(...payouts.violations);
  if (flipped > 0) violations.push(`${flipped} agreements recorded both APPROVED and REJECTED`);

  const pending = "select count(*) as n from outbox where delivered_at is null and dead_at is null";
  const dead = "select count(*) as n from outbox where dead_at is not null";
  const report: SyncReport = {
    agreements: agreements.length,
    applications: applications.length,
    decided,
    converged,
    lost,
    duplicates: duplicates + flipped,
    pendingPe: await count(peUrl, pending),
    pendingOrigination: await count(originationUrl, pending),
    deadPe: await count(peUrl, dead),
    deadOrigination: await count(originationUrl, dead),
    ...(payouts && { payouts }),
    violations,
  };
  if (opts.settled) {
    if (report.pendingPe + report.pendingOrigination > 0)
      violations.push(`pending outbox rows: pe ${report.pendingPe}, origination ${report.pendingOrigination}`);
    if (report.deadPe + report.deadOrigination > 0)
      violations.push(`dead outbox rows: pe ${report.deadPe}, origination ${report.deadOrigination}`);
  }
  return report;
}

export interface PayoutReport {
  payouts: number;
  paid: number;
  failed: number;
  open: number;
  transfers: number;
  pendingGateway: number;
  deadGateway: number;
  violations: string[];
}

/**
 * LIFECYCLE §3.2 item 4 and the payout part of item 7, by SQL on PE's and PG's databases (and the bank's
 * schema in PG's): ACTIVE or CLOSED ⇔ exactly one DISBURSEMENT payout PAID, of the disbursement amount,
 * under the payout id PE ordered; DISBURSEMENT_FAILED ⇔ it is FAILED; no other status has one. Every payout
 * has at most one bank transfer, of its amount; PAID ⇔ the bank settled it, FAILED ⇔ the bank refused it
 * (never FAILED when the bank paid); no transfer without a payout. Amounts never change and statuses only
 * move forward (a trigger in PG refuses anything else; its presence is checked). Settled: nothing open,
 * nothing pending or dead in PG's outbox, no agreement still DISBURSING, and PG records the status of
 * every ACTIVE, CLOSED or DISBURSEMENT_FAILED agreement as PE has it (agreement.status-changed's fan-out).
 */
export async function checkPayouts(
  peUrl: string,
  gatewayUrl: string,
  opts: { settled?: boolean } = { settled: true },
): Promise<PayoutReport> {
  const agreements = await rows<{
    id: string;
    status: string;
    disbursement_amount: string;
    disbursement_id: string | null;
    disbursement_status: string | null;
  }>(peUrl, "select id, status, disbursement_amount::text, disbursement_id, disbursement_status from agreements");
  const payouts = await rows<{
    id: string;
    kind: string;
    agreement_id: string;
    amount: string;
    status: string;
    settled_at: Date | null;
    transfer_status: string | null;
    transfer_amount: string | null;
    transfer_settled_at: Date | null;
  }>(
    gatewayUrl,
    `select p.id, p.kind, p.agreement_id, p.amount::text, p.status, p.settled_at,
            t.status as transfer_status, t.amount::text as transfer_amount, t.settled_at as transfer_settled_at
     from payouts p left join bank.transfers t on t.id = p.id`,
  );
  const violations: string[] = [];
  const say = (v: string) => {
    if (violations.length < 20) violations.push(v);
  };
  const disbursements = new Map<string, typeof payouts>();
  for (const p of payouts) {
    if (p.kind !== "DISBURSEMENT") continue;
    const list = disbursements.get(p.agreement_id) ?? [];
    list.push(p);
    disbursements.set(p.agreement_id, list);
  }
  const known = new Set(agreements.map((a) => a.id));
  for (const a of agreements) {
    const list = disbursements.get(a.id) ?? [];
    const one = list[0];
    if (list.length > 1) say(`agreement ${a.id}: ${list.length} DISBURSEMENT payouts`);
    if (a.status === "ACTIVE" || a.status === "CLOSED") {
      if (one?.status !== "PAID") say(`agreement ${a.id} is ${a.status}; its payout is ${one?.status ?? "missing"}`);
      else if (one.amount !== a.disbursement_amount)
        say(`agreement ${a.id}: paid ${one.amount}, disbursement amount ${a.disbursement_amount}`);
    } else if (a.status === "DISBURSEMENT_FAILED") {
      if (one?.status !== "FAILED")
        say(`agreement ${a.id} is DISBURSEMENT_FAILED; its payout is ${one?.status ?? "missing"}`);
    } else if (a.status === "DISBURSING") {
      if (opts.settled) say(`agreement ${a.id} is still DISBURSING (payout ${one?.status ?? "not in PG"})`);
    } else if (one) say(`agreement ${a.id} is ${a.status} but has a ${one.status} DISBURSEMENT payout`);
    if (one && one.id !== a.disbursement_id)
      say(`agreement ${a.id}: PG paid ${one.id}, PE ordered ${a.disbursement_id}`);
  }
  for (const p of payouts) {
    if (!known.has(p.agreement_id)) say(`payout ${p.id} for agreement ${p.agreement_id}, unknown to PE`);
    if (p.transfer_amount !== null && p.transfer_amount !== p.amount)
      say(`payout ${p.id} of ${p.amount}: the bank moved ${p.transfer_amount}`);
    if (p.status === "PAID" && p.transfer_status !== "SETTLED")
      say(`payout ${p.id} PAID, bank transfer ${p.transfer_status}`);
    if (p.status === "FAILED" && p.transfer_status === "SETTLED") say(`payout ${p.id} FAILED, but the bank paid it`);
    if (p.status === "FAILED" && p.transfer_status !== "FAILED")
      say(`payout ${p.id} FAILED, bank transfer ${p.transfer_status}`);
    if ((p.status === "PAID" || p.status === "FAILED") && p.settled_at?.getTime() !== p.transfer_settled_at?.getTime())
      say(
        `payout ${p.id}: settledAt ${p.settled_at?.toISOString()} is not the bank's ${p.transfer_settled_at?.toISOString()}`,
      );
    if (opts.settled && p.transfer_status === "SETTLED" && p.status !== "PAID")
      say(`payout ${p.id} is ${p.status}; the bank paid it`);
  }
  const orphans = await count(
    gatewayUrl,
    // Collections (direction IN) are payments' transfers, checked by checkMoney.
    "select count(*) as n from bank.transfers t where t.direction = 'OUT' and not exists (select 1 from payouts p where p.id = t.id)",
  );
  if (orphans > 0) say(`${orphans} bank transfers out without a payout`);
  const guarded = await count(
    gatewayUrl,
    "select count(*) as n from pg_trigger where tgname = 'payouts_guard' and not tgisinternal",
  );
  if (guarded !== 1) say("the payouts table has lost its forward-only, immutable-amount trigger");
  const duplicates =
    (await count(
      gatewayUrl,
      "select count(*) - count(distinct payload->>'payoutId') as n from outbox where topic = 'payout.settled'",
    )) +
    (await count(
      peUrl,
      // One order per payout: the disbursement's and each refund's (an agreement may have several refunds).
      "select count(*) - count(distinct payload->>'payoutId') as n from outbox where topic = 'payout.requested'",
    )) +
    (await count(
      peUrl,
      "select count(*) - count(distinct (aggregate_id, payload->>'status')) as n from outbox where topic = 'agreement.status-changed'",
    ));
  if (duplicates > 0) say(`${duplicates} duplicated payout or status messages`);
  // agreement.status-changed fans out to PG as well as to Origination: once settled, PG knows the status
  // of every agreement whose money has moved, and knows nothing PE does not say.
  if (opts.settled) {
    const known = new Map(
      (
        await rows<{ agreement_id: string; status: string }>(
          gatewayUrl,
          "select agreement_id::text, status from agreement_statuses",
        )
      ).map((r) => [r.agreement_id, r.status]),
    );
    for (const a of agreements) {
      const told = ["ACTIVE", "CLOSED", "DISBURSEMENT_FAILED"].includes(a.status);
      if (told && known.get(a.id) !== a.status)
        say(`agreement ${a.id} is ${a.status}; PG has ${known.get(a.id) ?? "nothing"}`);
      if (!told && known.has(a.id)) say(`agreement ${a.id} is ${a.status}; PG has ${known.get(a.id)}`);
    }
  }
  const report: PayoutReport = {
    payouts: payouts.length,
    paid: payouts.filter((p) => p.status === "PAID").length,
    failed: payouts.filter((p) => p.status === "FAILED").length,
    open: payouts.filter((p) => p.status === "PENDING" || p.status === "IN_TRANSIT").length,
    transfers: await count(gatewayUrl, "select count(*) as n from bank.transfers where direction = 'OUT'"),
    pendingGateway: await count(
      gatewayUrl,
      "select count(*) as n from outbox where delivered_at is null and dead_at is null",
    ),
    deadGateway: await count(gatewayUrl, "select count(*) as n from outbox where dead_at is not null"),
    violations,
  };
  if (opts.settled) {
    if (report.open > 0) say(`${report.open} payouts not final`);
    if (report.pendingGateway > 0) say(`pending outbox rows: gateway ${report.pendingGateway}`);
    if (report.deadGateway > 0) say(`dead outbox rows: gateway ${report.deadGateway}`);
  }
  return report;
}
