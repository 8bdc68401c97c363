-- The production calendar (EXCEPTIONS D17, §2.4, §3.8): per year, the weekdays that are not worked and the
-- Saturdays and Sundays that are. A date is working unless it is a Saturday or Sunday not in
-- working_weekends, or is in non_working_days; a year with no row has weekends only. PUT
-- /admin/calendar/{year} replaces a whole row (source ADMIN).
--
-- Convention of the stored lists: non_working_days names only weekdays (Mon–Fri) that are not worked; a
-- holiday that falls on a weekend is already a day off and is not listed (the API accepts one and it changes
-- nothing). So a year's list is the Labour Code's holidays on weekdays, the weekdays a holiday on a weekend
-- moves to (art. 112 part 2), and the weekdays the Government's decree moves days off to.
create table calendar_years (
  year             integer     primary key check (year between 1900 and 2200),
  non_working_days date[]      not null,
  working_weekends date[]      not null,
  source           text        not null check (source in ('SEED', 'ADMIN')),
  updated_at       timestamptz not null default now()
);

-- One global calendar version (§3.9): every PUT adds one, in the PUT's transaction, and each re-dated loan
-- records the version it was dated by. The seeds below are version 0, so the version counts the PUTs made.
-- One row, kept one by its key.
create table calendar_version (
  id      boolean primary key default true check (id),
  version integer not null check (version >= 0)
);
insert into calendar_version (id, version) values (true, 0);

-- The seeds. Labour Code (Трудовой кодекс РФ) art. 112 part 1 holidays: 1–6 and 8 January (New Year
-- holidays), 7 January (Christmas), 23 February, 8 March, 1 May, 9 May, 12 June, 4 November. Part 2: a
-- weekend day that coincides with a holiday moves to the next working day after the holiday, except the
-- January holidays' weekend days, which part 5 lets the Government move to other days by decree (and the
-- decree may move any other weekend day as well).
--
-- Each year's list was checked against the decree's text as published in news and reference sources
-- (teko.cntd.ru, profedu38.ru, the holidays-ru library's data) and against the published count of working
-- days; pe/test/calendar.seeds.test.ts checks the counts and that each year passes §3.8.
--
-- 2025 — Постановление Правительства РФ от 04.10.2024 № 1335 «О переносе выходных дней в 2025 году»:
--   Sat 4 Jan → Fri 2 May; Sun 5 Jan → Wed 31 Dec; Sun 23 Feb → Thu 8 May (so Mon 24 Feb is worked);
--   Sat 8 Mar → Fri 13 Jun (so Mon 10 Mar is worked); Sat 1 Nov → Mon 3 Nov (Sat 1 Nov is worked).
--   Holidays on weekdays: 1–3, 6–8 Jan, 1 May, 9 May, 12 Jun, 4 Nov. 247 working days (365 − 104 weekend
--   days − 15 weekdays off + 1 working Saturday), as the published calendar counts.
insert into calendar_years (year, non_working_days, working_weekends, source) values
  (2025,
   array['2025-01-01', '2025-01-02', '2025-01-03', '2025-01-06', '2025-01-07', '2025-01-08',
         '2025-05-01', '2025-05-02', '2025-05-08', '2025-05-09', '2025-06-12', '2025-06-13',
         '2025-11-03', '2025-11-04', '2025-12-31']::date[],
   array['2025-11-01']::date[],
   'SEED');

-- 2026 — Постановление Правительства РФ от 24.09.2025 № 1466 «О переносе выходных дней в 2026 году»:
--   Sat 3 Jan → Fri 9 Jan; Sun 4 Jan → Thu 31 Dec. By art. 112 part 2 (no decree needed): Sun 8 Mar →
--   Mon 9 Mar; Sat 9 May → Mon 11 May. Holidays on weekdays: 1–2, 5–8 Jan, 23 Feb, 1 May, 12 Jun, 4 Nov.
--   247 working days (365 − 104 − 14). The list is EXCEPTIONS §6.4's.
insert into calendar_years (year, non_working_days, working_weekends, source) values
  (2026,
   array['2026-01-01', '2026-01-02', '2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08', '2026-01-09',
         '2026-02-23', '2026-03-09', '2026-05-01', '2026-05-11', '2026-06-12', '2026-11-04',
         '2026-12-31']::date[],
   array[]::date[],
   'SEED');

-- 2027 is NOT seeded. §2.4: a year whose decree is not yet published is not seeded. No decree «О переносе
-- выходных дней в 2027 году» could be found published when this migration was written (reports of
-- December 2025 speak of a draft only, the final calendar to be adopted late in 2026). Until an operator PUTs 2027
-- it has weekends only, and pe_calendar_missing_years / CalendarMissing say so once 2027 is next year.
