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
};

/**
 * Checks, with SQL on both databases, that the two services agree: one application per agreement,
 * the same decision on both sides (or WITHDRAWN on both), nothing pending or dead in either outbox, nothing applied twice.
 */
export async function checkSync(
  peUrl: string,
  originationUrl: string,
  opts: { settled?: boolean } = { settled: true },
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
    // WITHDRAWN on both sides agrees whatever each had decided: Origination keeps the decision it made,
    // and PE never records one that reached it after the withdrawal.
    const bothWithdrawn = a.status === "WITHDRAWN" && app.status === "WITHDRAWN";
    if (bothWithdrawn || (a.status === want && (app.decision_result ?? null) === (a.decision_result ?? null)))
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
