-- The simulated bank: its own schema, reached only through gateway/src/bank/ (a real bank would be an
-- HTTP API behind the same interface). Its state is here, so it survives PG's restarts.
create schema bank;

-- One transfer per id: a resubmission answers the existing transfer. Its outcome is drawn at acceptance
-- (planned_*) and becomes visible at settles_at, when the bank has paid or refused it.
create table bank.transfers (
  id                     uuid primary key,
  amount                 numeric(14,2) not null check (amount > 0),
  account_number         text          not null,
  status                 text          not null check (status in ('ACCEPTED', 'SETTLED', 'FAILED')),
  planned_status         text          not null check (planned_status in ('SETTLED', 'FAILED')),
  planned_failure_code   text,
  failure_code           text,
  accepted_at            timestamptz   not null default clock_timestamp(),
  settles_at             timestamptz   not null,
  settled_at             timestamptz,
  constraint transfers_final_has_instant check ((status = 'ACCEPTED') = (settled_at is null))
);

-- Calls per transfer id and operation, committed on their own before the call does anything: the seeded
-- draws are keyed on (seed, transfer id, operation, call number), so a run repeats call for call.
create table bank.calls (
  transfer_id uuid    not null,
  op          text    not null check (op in ('submit', 'get')),
  n           integer not null,
  primary key (transfer_id, op)
);
