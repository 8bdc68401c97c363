import { useState } from "preact/hooks";
import { Empty, type Loaded, Maybe, Panel } from "../components.tsx";
import { addMoney, fmtMoney, isZero, TRANSACTION_TYPES } from "../format.ts";
import type { Page, Transaction } from "../types.ts";

/** A row of the ledger: one journal, or a run of daily penalty journals shown as one. */
interface LedgerRow {
  key: string;
  type: string;
  from: string;
  to: string;
  amount: string;
  allocation: Transaction["allocation"];
  journals: Transaction[];
}

function ledgerRows(items: Transaction[]): LedgerRow[] {
  const rows: LedgerRow[] = [];
  for (const t of items) {
    const last = rows.at(-1);
    if (t.type === "PENALTY" && last?.type === "PENALTY") {
      last.to = t.on;
      last.amount = addMoney(last.amount, t.amount);
      last.journals.push(t);
      continue;
    }
    rows.push({
      key: t.id,
      type: t.type,
      from: t.on,
      to: t.on,
      amount: t.amount,
      allocation: t.allocation,
      journals: [t],
    });
  }
  return rows;
}

const PAYMENTS = new Set(["REPAYMENT", "PREPAYMENT", "PAYOFF"]);

function allocationText(r: LedgerRow): string {
  const al = r.allocation;
  const parts = al
    ? (["principal", "interest", "penalty"] as const)
        .filter((k) => !isZero(al[k]))
        .map((k) => `${k} ${fmtMoney(al[k])}`)
    : [];
  // A payment that paid nothing yet waits in the client's funds for the next due date (LIFECYCLE §2.5).
  if (parts.length === 0 && PAYMENTS.has(r.type)) return "held as unapplied funds";
  return parts.join(", ");
}

/** Which rows are open: a set of keys, each toggled on its own. */
interface OpenRows {
  open: ReadonlySet<string>;
  toggle: (k: string) => void;
}

function useOpenRows(): OpenRows {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (k: string) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(k)) n.delete(k);
      else n.add(k);
      return n;
    });
  return { open, toggle };
}

function Entries({ journals }: { journals: Transaction[] }) {
  return (
    <table class="entries">
      <thead>
        <tr>
          {journals.length > 1 && <th scope="col">On</th>}
          <th scope="col">Account</th>
          <th scope="col" class="num">
            Debit
          </th>
          <th scope="col" class="num">
            Credit
          </th>
        </tr>
      </thead>
      <tbody>
        {journals.flatMap((j) =>
          j.entries.map((e, i) => (
            <tr key={`${j.id}-${i}`}>
              {journals.length > 1 && <td>{i === 0 ? j.on : ""}</td>}
              <td>
                <code>{e.account}</code>
              </td>
              <td class="num">{isZero(e.debit) ? "" : fmtMoney(e.debit)}</td>
              <td class="num">{isZero(e.credit) ? "" : fmtMoney(e.credit)}</td>
            </tr>
          )),
        )}
      </tbody>
    </table>
  );
}

function LedgerLine({ r, isOpen, toggle }: { r: LedgerRow; isOpen: boolean; toggle: () => void }) {
  const n = r.journals.length;
  return (
    <>
      <tr data-tx={r.type} data-payment-id={r.journals[0]!.paymentId ?? undefined}>
        <td>{r.from === r.to ? r.from : `${r.from} … ${r.to}`}</td>
        <td>
          {TRANSACTION_TYPES[r.type] ?? r.type}
          {n > 1 && <span class="muted"> ({n} days)</span>}
        </td>
        <td class="num">{fmtMoney(r.amount)}</td>
        <td class="muted">{allocationText(r)}</td>
        <td>
          <button type="button" class="link" aria-expanded={isOpen} onClick={toggle}>
            {isOpen ? "Hide entries" : "Entries"}
          </button>
        </td>
      </tr>
      {isOpen && (
        <tr class="entries-row">
          <td colSpan={5}>
            <Entries journals={r.journals} />
          </td>
        </tr>
      )}
    </>
  );
}

function LedgerTable({ p, open, toggle }: { p: Page<Transaction> } & OpenRows) {
  return (
    <div class="scroll">
      <table class="list ledger">
        <thead>
          <tr>
            <th scope="col">On</th>
            <th scope="col">Type</th>
            <th scope="col" class="num">
              Amount
            </th>
            <th scope="col">Allocation</th>
            <th scope="col">
              <span class="sr-only">Entries</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {ledgerRows(p.items).map((r) => (
            <LedgerLine key={r.key} r={r} isOpen={open.has(r.key)} toggle={() => toggle(r.key)} />
          ))}
        </tbody>
      </table>
      {p.nextCursor && (
        <p class="muted">
          Later journals are not shown here: GET /agreements/{"{"}id{"}"}/transactions pages through them.
        </p>
      )}
    </div>
  );
}

/** PE's double-entry ledger, oldest first; each row opens to its debit and credit entries. */
export function LedgerPanel({ tx }: { tx: Loaded<Page<Transaction> | null> }) {
  const { open, toggle } = useOpenRows();
  return (
    <Panel title="Product Engine: ledger" id="ledger">
      <Maybe what="the ledger" loaded={tx}>
        {(p) =>
          p.items.length === 0 ? (
            <Empty>No transaction yet: the ledger starts with the disbursement.</Empty>
          ) : (
            <LedgerTable p={p} open={open} toggle={toggle} />
          )
        }
      </Maybe>
    </Panel>
  );
}
