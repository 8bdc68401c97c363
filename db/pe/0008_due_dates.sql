-- Due dates moved off non-working days (EXCEPTIONS D18, §2.4, §3.9). Each period keeps its nominal end
-- (period_end = start + k months) beside the date it falls due (due_date: the same under NONE, the first
-- working day on or after it under NEXT_WORKING_DAY). Existing rows were all dated under NONE.

alter table products
  add column due_date_shift text not null default 'NONE' check (due_date_shift in ('NONE', 'NEXT_WORKING_DAY'));

-- CL2.0 (§5): CL1.0's bounds, a fee from 0, due dates on working days, 20 % penalty, no grace. Civil Code
-- art. 193 moves a consumer's deadline off a non-working day; CL1.0 keeps NONE for its loans as contracted.
insert into products (code, name, amortization, min_term_months, max_term_months, min_principal, max_principal,
                      min_interest_rate, max_interest_rate, min_origination_fee, max_origination_fee,
                      penalty_rate, penalty_grace_days, due_date_shift)
select 'CL2.0', 'Consumer loan, due dates on working days', amortization, min_term_months, max_term_months,
       min_principal, max_principal, min_interest_rate, max_interest_rate, 0, 10000, 20, 0, 'NEXT_WORKING_DAY'
from products where code = 'CL1.0'
on conflict (code) do nothing;

alter table schedule_payments add column period_end date;
update schedule_payments set period_end = due_date;
alter table schedule_payments alter column period_end set not null,
  add constraint schedule_payments_due_after_end check (due_date >= period_end);

alter table schedule_versions add column period_end date;
update schedule_versions set period_end = due_date;
-- Why the version was appended (§3.7); rows from before this migration say nothing.
alter table schedule_versions alter column period_end set not null,
  add column reason text check (reason in ('DISBURSEMENT', 'PREPAYMENT', 'PAYOFF', 'CALENDAR'));

-- The global calendar version the agreement's due dates were computed by (§3.9): null under NONE and
-- until disbursement re-anchors them; re-dating brings it up to the current version.
alter table agreements add column calendar_version integer;
create index agreements_redating on agreements (calendar_version) where status = 'ACTIVE' and calendar_version is not null;
