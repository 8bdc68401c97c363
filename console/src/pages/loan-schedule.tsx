import { Panel, Status } from "../components.tsx";
import { addMoney, fmtMoney, isZero, PERIOD_STATUSES } from "../format.ts";
import { ScheduleChart } from "../schedule-chart.tsx";
import type { Agreement, ScheduleRow } from "../types.ts";

/**
 * The nominal end of the period beside its due date, once PE gives both (issue 27): under a product that moves
 * due dates off non-working days they differ, and the due date is what counts for lateness.
 */
const periodEnd = (r: ScheduleRow) => (r as ScheduleRow & { periodEnd?: string }).periodEnd;
const moved = (r: ScheduleRow) => {
  const end = periodEnd(r);
  return end !== undefined && end !== r.dueDate ? end : null;
};

function DueCell({ r }: { r: ScheduleRow }) {
  const nominal = moved(r);
  if (!nominal) return <td>{r.dueDate}</td>;
  return (
    <td class="moved" data-moved-from={nominal} title={`moved off a non-working day: the period ends on ${nominal}`}>
      {r.dueDate} <small class="muted">moved from {nominal}</small>
    </td>
  );
}

const penaltyCell = (posted: string, paid: string) =>
  isZero(posted) ? "—" : isZero(paid) ? fmtMoney(posted) : `${fmtMoney(posted)} (paid ${fmtMoney(paid)})`;

/** Where the schedule's dates come from, and whether an early repayment rebuilt it. */
function ScheduleNote({ a }: { a: Agreement }) {
  return (
    <p class="muted">
      {a.scheduleAnchoredOn
        ? `Dated from the disbursement on ${a.scheduleAnchoredOn}.`
        : "Indicative: dated from the application until the money is paid out."}
      {a.schedule.some(moved) && " Due dates falling on a non-working day are moved to the next working day."}
      {a.scheduleVersion > 1 && (
        <>
          {" "}
          <strong class="version" data-version={a.scheduleVersion}>
            Version {a.scheduleVersion}
          </strong>
          : rebuilt after an early repayment; the periods still due are the new schedule's.
        </>
      )}
    </p>
  );
}

function ScheduleHead({ anyPenalty }: { anyPenalty: boolean }) {
  return (
    <thead>
      <tr>
        <th scope="col">#</th>
        <th scope="col">Due</th>
        <th scope="col" class="num">
          Payment
        </th>
        <th scope="col" class="num">
          Principal
        </th>
        <th scope="col" class="num">
          Interest
        </th>
        <th scope="col" class="num">
          Balance after
        </th>
        <th scope="col" class="num">
          Paid
        </th>
        {anyPenalty && (
          <th scope="col" class="num">
            Penalty
          </th>
        )}
        <th scope="col">Status</th>
      </tr>
    </thead>
  );
}

function SchedulePeriod({ r, anyPenalty }: { r: ScheduleRow; anyPenalty: boolean }) {
  const paid = addMoney(r.paidPrincipal, r.paidInterest, r.paidPenalty);
  return (
    <tr class={`row-${r.status.toLowerCase()}`} data-period={r.period} data-status={r.status}>
      <td>{r.period}</td>
      <DueCell r={r} />
      <td class="num">{fmtMoney(r.payment)}</td>
      <td class="num">{fmtMoney(r.principal)}</td>
      <td class="num">{fmtMoney(r.interest)}</td>
      <td class="num">{fmtMoney(r.balance)}</td>
      <td
        class="num"
        data-paid-amount={paid}
        title={`principal ${fmtMoney(r.paidPrincipal)}, interest ${fmtMoney(r.paidInterest)}, penalty ${fmtMoney(r.paidPenalty)}`}
      >
        {isZero(paid) ? "—" : fmtMoney(paid)}
        {r.paidOn && <small class="muted"> on {r.paidOn}</small>}
      </td>
      {anyPenalty && (
        <td class={`num${isZero(r.penalty) ? "" : " penalty"}`} data-penalty={r.penalty}>
          {penaltyCell(r.penalty, r.paidPenalty)}
        </td>
      )}
      <td>
        <Status value={r.status} /> <span class="muted small">{PERIOD_STATUSES[r.status]}</span>
      </td>
    </tr>
  );
}

/** The schedule as a chart and as a table, one row per period with what was paid of it and when. */
export function SchedulePanel({ a, width }: { a: Agreement; width: number }) {
  const anyPenalty = a.schedule.some((r) => !isZero(r.penalty));
  return (
    <Panel title="Schedule" id="schedule">
      <ScheduleNote a={a} />
      <ScheduleChart rows={a.schedule} width={width} />
      <div class="scroll">
        <table class="list schedule">
          <ScheduleHead anyPenalty={anyPenalty} />
          <tbody>
            {a.schedule.map((r) => (
              <SchedulePeriod key={r.period} r={r} anyPenalty={anyPenalty} />
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
