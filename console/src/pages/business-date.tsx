import { useState } from "preact/hooks";
import { api, optional } from "../api.ts";
import { ConfirmAction, ErrorBox, Loading, Panel, useLoad } from "../components.tsx";
import { fmtMoney } from "../format.ts";
import { useCan } from "../session.ts";

interface Cob {
  date: string;
  agreements: number;
  overdueMarked: number;
  penaltyPosted: string;
  closed: number;
}

/** Moves PE's manual business date forward to a date picked in the dialog; `onRuns` gets the daily job's days. */
function MoveDate({ from, onDone, onRuns }: { from: string; onDone: () => void; onRuns: (runs: Cob[]) => void }) {
  const [to, setTo] = useState("");
  return (
    <ConfirmAction
      label="Move the date forward"
      question={<p>Runs the daily job for every day crossed, in order. A business date never moves back.</p>}
      fields={
        <p class="field">
          <label for="to">New date</label>
          <input
            id="to"
            type="date"
            required
            min={from}
            value={to}
            onInput={(e) => setTo((e.target as HTMLInputElement).value)}
          />
        </p>
      }
      confirmLabel="Move it"
      onDone={onDone}
      act={async () => {
        const r = await api<{ date: string; cob: Cob[] }>("pe", "/admin/business-date", {
          method: "POST",
          body: { date: to },
        });
        onRuns(r.cob);
        return <p>The business date is now {r.date}.</p>;
      }}
    />
  );
}

function CobRuns({ runs }: { runs: Cob[] }) {
  return (
    <Panel title="What the daily job did" id="cob">
      <table class="list">
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col" class="num">
              Agreements
            </th>
            <th scope="col" class="num">
              Marked overdue
            </th>
            <th scope="col" class="num">
              Penalty posted
            </th>
            <th scope="col" class="num">
              Closed
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.map((c) => (
            <tr key={c.date}>
              <td>{c.date}</td>
              <td class="num">{c.agreements}</td>
              <td class="num">{c.overdueMarked}</td>
              <td class="num">{fmtMoney(c.penaltyPosted)}</td>
              <td class="num">{c.closed}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

/** PE's business date; with the manual clock, moving it forward runs the daily job for each day crossed. */
export function BusinessDatePage() {
  const bd = useLoad(() => optional<{ date: string; clock: string }>("pe", "/admin/business-date"), [], 5000);
  const [runs, setRuns] = useState<Cob[] | null>(null);
  const can = useCan();
  return (
    <div class="page">
      <h1>Business date</h1>
      <Panel title="Product Engine's business date" id="business-date">
        {bd.data === undefined && !bd.error && <Loading what="the business date" />}
        <ErrorBox error={bd.error} title="The business date could not be read" />
        {bd.data === null && <p class="muted">Not available: this Product Engine has no business date yet.</p>}
        {bd.data && (
          <>
            <p class="big" data-date={bd.data.date}>
              {bd.data.date} <span class="muted">({bd.data.clock} clock)</span>
            </p>
            {bd.data.clock !== "manual" ? (
              <p class="muted">The system clock sets the date; it moves only with BUSINESS_CLOCK=manual.</p>
            ) : can("moveBusinessDate") ? (
              <MoveDate from={bd.data.date} onDone={bd.reload} onRuns={setRuns} />
            ) : (
              <p class="muted">Moving it needs the operator role.</p>
            )}
          </>
        )}
      </Panel>
      {runs && <CobRuns runs={runs} />}
    </div>
  );
}
