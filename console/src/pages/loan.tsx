import { useEffect, useState } from "preact/hooks";
import { api, optional, SERVICES } from "../api.ts";
import { ErrorBox, Loading, Status, useLoad } from "../components.tsx";
import { fmtMoney, shortId } from "../format.ts";
import { onLink } from "../router.ts";
import { useSession } from "../session.ts";
import type { Agreement, Application, OutboxMessage, Page, Payment, Payout, Transaction } from "../types.ts";
import { LoanAuditPanel } from "./audit.tsx";
import { LoanActions } from "./loan-actions.tsx";
import { LedgerPanel } from "./loan-ledger.tsx";
import { MoneyPanel } from "./loan-money.tsx";
import { BalancesPanel, DecisionPanel, Timeline, TracePanel } from "./loan-panels.tsx";
import { PskFrame } from "./loan-psk.tsx";
import { SchedulePanel } from "./loan-schedule.tsx";

const EVERY_MS = 2000;

/** The whole ledger, page by page (oldest first), up to `pages` pages of 100 journals. */
async function allTransactions(q: string, pages = 10): Promise<Page<Transaction> | null> {
  const items: Transaction[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < pages; i++) {
    const page: Page<Transaction> | null = await optional<Page<Transaction>>(
      "pe",
      `/agreements/${q}/transactions?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    if (!page) return null;
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return { items, nextCursor: cursor };
}

function useWidth(): number {
  const get = () => Math.max(300, Math.min(1180, document.documentElement.clientWidth - 48));
  const [w, setW] = useState(get);
  useEffect(() => {
    const f = () => setW(get());
    addEventListener("resize", f);
    return () => removeEventListener("resize", f);
  }, []);
  return w;
}

/** Every service's view of one agreement, each polled on its own; `refresh` reloads what an action changes. */
function useLoan(id: string) {
  const q = encodeURIComponent(id);
  const agreement = useLoad(() => api<Agreement>("pe", `/agreements/${q}`), [id], EVERY_MS);
  const app = useLoad(() => optional<Application>("origination", `/applications/${q}`), [id], EVERY_MS);
  const payouts = useLoad(() => optional<Page<Payout>>("gateway", `/payouts?agreementId=${q}`), [id], EVERY_MS);
  const payments = useLoad(() => optional<Page<Payment>>("gateway", `/payments?agreementId=${q}`), [id], EVERY_MS);
  const tx = useLoad(() => allTransactions(q), [id], EVERY_MS);
  const clock = useLoad(
    () => optional<{ clock: string }>("pe", "/admin/business-date").catch(() => null),
    [],
    undefined,
  );
  const trail = useLoad(
    () =>
      Promise.all(
        SERVICES.map(async (s) => {
          const r = await optional<{ items: OutboxMessage[] }>(s.name, `/admin/outbox/messages?aggregateId=${q}`);
          return [s.title, r?.items ?? null] as [string, OutboxMessage[] | null];
        }),
      ),
    [id],
    EVERY_MS * 2,
  );
  const refresh = () => {
    agreement.reload();
    app.reload();
    payouts.reload();
    payments.reload();
    tx.reload();
  };
  return { agreement, app, payouts, payments, tx, clock, trail, refresh };
}

function LoanHead({ a, clock, onChange }: { a: Agreement; clock: string | null; onChange: () => void }) {
  return (
    <header class="loan-head">
      <PskFrame a={a} />
      <h1>
        Loan <code title={a.id}>{shortId(a.id)}</code> <Status value={a.status} />
      </h1>
      <p class="muted">
        {a.id} · client <code>{shortId(a.clientId)}</code> · {a.productCode} · {fmtMoney(a.disbursementAmount)} over{" "}
        {a.termMonths} months at {a.interestRate} % · monthly {fmtMoney(a.currentPayment ?? a.monthlyPayment)}
        {a.scheduleVersion > 1 ? ` (schedule version ${a.scheduleVersion})` : ""}
        {a.closedOn ? ` · closed on ${a.closedOn}` : ""}
        {a.delinquency && a.delinquency.daysPastDue > 0 ? ` · ${a.delinquency.daysPastDue} days past due` : ""}
      </p>
      <LoanActions a={a} clock={clock} onChange={onChange} />
    </header>
  );
}

/** One agreement across the three services, side by side, kept fresh every 2 s. */
export function LoanPage({ id }: { id: string }) {
  const width = useWidth();
  const { agreement, app, payouts, payments, tx, clock, trail, refresh } = useLoan(id);
  const a = agreement.data;
  const session = useSession();
  return (
    <div class="page">
      <p>
        <a href="/" onClick={onLink}>
          ← Pipeline
        </a>
      </p>
      {!a && agreement.loading && <Loading what="the agreement" />}
      {!a && agreement.error !== undefined && <ErrorBox error={agreement.error} title={`Agreement ${id}`} />}
      {a && (
        <>
          <LoanHead a={a} clock={clock.data?.clock ?? null} onChange={refresh} />
          {agreement.error !== undefined && agreement.error !== null && (
            <ErrorBox error={agreement.error} title="Could not refresh" />
          )}
          <div class="columns">
            <BalancesPanel a={a} />
            <MoneyPanel a={a} payouts={payouts} payments={payments} tx={tx} />
            <DecisionPanel app={app} />
          </div>
          <SchedulePanel a={a} width={width} />
          <LedgerPanel tx={tx} />
          <div class="columns two">
            <Timeline a={a} />
            <TracePanel trail={trail} />
          </div>
          {session.kind === "operator" && <LoanAuditPanel id={a.id} />}
        </>
      )}
    </div>
  );
}
