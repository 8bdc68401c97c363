-- The business date (LIFECYCLE §4.3, §8.1): every move of the manual clock, with the instant it took
-- effect, so the date in effect at any instant (a payment's value date, a payout's disbursedOn) can be
-- read back however late PE learns of that instant. The latest row is today's business date; the first
-- is BUSINESS_DATE_START. Empty on the system clock, which needs no history.
create table business_date (
  date         date        primary key,
  effective_at timestamptz not null unique default clock_timestamp()
);

-- Moves only go forward, in both columns: otherwise "the date in effect at an instant" has two answers.
-- PE serialises its moves with an advisory lock; this refuses a writer that does not.
create function business_date_moves_forward() returns trigger language plpgsql as $$
begin
  if exists (select 1 from business_date where date >= new.date or effective_at >= new.effective_at) then
    raise exception 'business date % at % is not after the latest move', new.date, new.effective_at
      using errcode = 'check_violation';
  end if;
  return new;
end $$;

create trigger business_date_moves_forward before insert on business_date
  for each row execute function business_date_moves_forward();

-- The last business date the daily job ran for this agreement; null until it is disbursed (ACTIVE sets
-- it to disbursedOn), then brought forward one day at a time.
alter table agreements add column last_cob_date date;
create index agreements_cob_due on agreements (last_cob_date) where status = 'ACTIVE';
