import { useEffect, useState } from "preact/hooks";
import { api, optional } from "../api.ts";
import { type DayCell, monthWeeks, parseDates, workingDayCount, type YearLists } from "../calendar-grid.ts";
import { ConfirmAction, Maybe, Panel, useLoad } from "../components.tsx";
import { useCan } from "../session.ts";

/** PE's production calendar of one year (`GET /admin/calendar/{year}`, issue 27). */
interface CalendarYear extends YearLists {
  year: number;
  version: number;
  source: "SEED" | "ADMIN" | "DEFAULT";
}

interface Saved extends CalendarYear {
  redated?: { agreements: number; periods: number };
}

const SOURCES: Record<CalendarYear["source"], string> = {
  SEED: "the official calendar, seeded from the Government's decree",
  ADMIN: "set by an operator",
  DEFAULT: "no calendar stored: weekends only",
};

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

function Month({ y, m, lists }: { y: number; m: number; lists: YearLists }) {
  const day = (c: DayCell | null, i: number) =>
    c ? (
      <td
        key={c.date}
        class={`cal day d-${c.kind}`}
        data-date={c.date}
        data-kind={c.kind}
        title={`${c.date}: ${c.kind}`}
      >
        {c.day}
      </td>
    ) : (
      <td key={`blank-${i}`} class="cal" />
    );
  return (
    <table class="month" aria-label={`${MONTHS[m - 1]} ${y}`}>
      <caption>{MONTHS[m - 1]}</caption>
      <thead>
        <tr>
          {WEEKDAYS.map((d) => (
            <th key={d} scope="col" class="cal">
              {d}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {monthWeeks(y, m, lists).map((w) => (
          <tr key={w.find((c) => c)?.date}>{w.map(day)}</tr>
        ))}
      </tbody>
    </table>
  );
}

function YearGrid({ cal }: { cal: CalendarYear }) {
  return (
    <>
      <p data-source={cal.source} data-version={cal.version}>
        <strong>{cal.year}</strong>: {SOURCES[cal.source]} · {workingDayCount(cal.year, cal)} working days · calendar
        version {cal.version}
      </p>
      <p class="muted small legend">
        <span class="day d-holiday">non-working day</span> <span class="day d-weekend">weekend</span>{" "}
        <span class="day d-working-weekend">working weekend</span>
      </p>
      <div class="months">
        {MONTHS.map((_, i) => (
          <Month key={MONTHS[i]} y={cal.year} m={i + 1} lists={cal} />
        ))}
      </div>
    </>
  );
}

function ListBox(props: { id: string; label: string; value: string; set: (v: string) => void; hint: string }) {
  return (
    <p class="field">
      <label for={props.id}>{props.label}</label>
      <textarea id={props.id} rows={4} value={props.value} onInput={(e) => props.set(e.currentTarget.value)} />
      <small class="muted">{props.hint}</small>
    </p>
  );
}

/** The two lists as text, and saving them: PE validates (400/422 in words) and re-dates loans still ahead. */
function EditYear({ cal, onSaved }: { cal: CalendarYear; onSaved: () => void }) {
  const [off, setOff] = useState(cal.nonWorkingDays.join("\n"));
  const [on, setOn] = useState(cal.workingWeekends.join("\n"));
  useEffect(() => {
    setOff(cal.nonWorkingDays.join("\n"));
    setOn(cal.workingWeekends.join("\n"));
  }, [cal.year, cal.version]);
  const save = async () => {
    const r = await api<Saved>("pe", `/admin/calendar/${cal.year}`, {
      method: "PUT",
      body: { nonWorkingDays: parseDates(off), workingWeekends: parseDates(on) },
    });
    const rd = r.redated;
    return (
      <p data-redated={rd ? `${rd.agreements}/${rd.periods}` : "none"}>
        Saved as calendar version {r.version}.{" "}
        {rd ? `Re-dated ${rd.agreements} agreement(s), ${rd.periods} period(s) still ahead.` : ""}
      </p>
    );
  };
  return (
    <Panel title={`Edit ${cal.year}`} id="calendar-edit">
      <ListBox id="non-working" label="Non-working days" value={off} set={setOff} hint="YYYY-MM-DD, one a line" />
      <ListBox id="working-weekends" label="Working weekends" value={on} set={setOn} hint="Saturdays or Sundays only" />
      <ConfirmAction
        label="Save the calendar"
        question={<p>Due dates still ahead on loans that move them off non-working days are re-dated by it.</p>}
        confirmLabel="Save"
        act={save}
        onDone={onSaved}
      />
    </Panel>
  );
}

/** PE's production calendar, a year at a time: the month grids, and for the operator role its lists to edit. */
export function CalendarPage() {
  const [year, setYear] = useState(() => new Date().getUTCFullYear());
  const can = useCan();
  const cal = useLoad(() => optional<CalendarYear>("pe", `/admin/calendar/${year}`), [year]);
  return (
    <div class="page">
      <h1>Calendar</h1>
      <nav class="pager" aria-label="Pick a year">
        <button type="button" onClick={() => setYear(year - 1)}>
          ← {year - 1}
        </button>
        <label for="year">Year</label>
        <input
          id="year"
          type="number"
          min={1900}
          max={2200}
          value={year}
          onInput={(e) => {
            const y = Number(e.currentTarget.value);
            if (Number.isInteger(y) && y >= 1900 && y <= 2200) setYear(y);
          }}
        />
        <button type="button" onClick={() => setYear(year + 1)}>
          {year + 1} →
        </button>
      </nav>
      <Panel title={`Production calendar ${year}`} id="calendar">
        <Maybe what="a production calendar" loaded={cal}>
          {(c) => <YearGrid cal={c} />}
        </Maybe>
      </Panel>
      {cal.data && cal.data.year === year && can("editCalendar") && <EditYear cal={cal.data} onSaved={cal.reload} />}
    </div>
  );
}
