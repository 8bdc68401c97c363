-- Servicing (LIFECYCLE §1.2, §2.3–2.6, §3.2): the loan's money after disbursement. What the pure core
-- (pe/src/servicing) computes from the schedule and the value-dated payments is materialised here in the
-- transaction that applies each event; only `payments`, `refunds` and the ledger are facts of their own.

alter table products
  add column penalty_rate       numeric(5,2) not null default 20 check (penalty_rate >= 0 and penalty_rate <= 20),
  add column penalty_grace_days integer      not null default 0 check (penalty_grace_days between 0 and 30);

alter table agreements
  add column schedule_version integer not null default 1 check (schedule_version >= 1),
  add column closed_on        date;

alter table schedule_payments drop constraint schedule_payments_status_check;
alter table schedule_payments
  add constraint schedule_payments_status_check check (status in ('PENDING', 'PARTIALLY_PAID', 'PAID', 'OVERDUE')),
  add column version        integer       not null default 1,
  add column paid_interest  numeric(14,2) not null default 0,
  add column paid_principal numeric(14,2) not null default 0,
  add column penalty        numeric(14,2) not null default 0,
  add column paid_penalty   numeric(14,2) not null default 0,
  add column paid_on        date,
  add constraint schedule_payments_paid_within check (
    paid_interest between 0 and interest and paid_principal between 0 and principal
    and paid_penalty between 0 and penalty);

-- Every schedule version an agreement has had, rows as they read when it took effect (§2.5b: earlier
-- versions stay readable). Version 1 is the re-anchored schedule.
create table schedule_versions (
  agreement_id uuid          not null references agreements (id),
  version      integer       not null check (version >= 1),
  effective_on date          not null,
  period       integer       not null,
  due_date     date          not null,
  payment      numeric(14,2) not null,
  principal    numeric(14,2) not null,
  interest     numeric(14,2) not null,
  balance      numeric(14,2) not null,
  primary key (agreement_id, version, period)
);

-- A payment PG confirmed, applied once (the primary key is PG's payment id, case 9/10). value_date is the
-- business date in effect at the bank's settlement instant (§7); `answer` is the allocation as first
-- computed, the reply to every repeat of `payment.succeeded` (§8.2).
create table payments (
  id            uuid          primary key,
  agreement_id  uuid          not null references agreements (id),
  amount        numeric(14,2) not null check (amount > 0),
  purpose       text          not null check (purpose in ('REGULAR', 'EARLY_REPAYMENT')),
  payer_account text          not null check (payer_account ~ '^[0-9]{20}$'),
  succeeded_at  timestamptz   not null,
  value_date    date          not null,
  -- Reached the agreement once it was CLOSED: refunded whole, never allocated (§8.6).
  refund_whole  boolean       not null default false,
  answer        jsonb         not null,
  received_at   timestamptz   not null default now()
);
create index payments_agreement on payments (agreement_id, value_date, id);

-- The materialisation of the core's state, replaced whenever the agreement's figures are recomputed.
create table allocations (
  agreement_id uuid          not null references agreements (id),
  payment_id   uuid          not null references payments (id),
  on_date      date          not null,
  period       integer,
  component    text          not null check (component in ('INTEREST', 'PRINCIPAL', 'PENALTY', 'REFUND')),
  amount       numeric(14,2) not null check (amount > 0)
);
create index allocations_agreement on allocations (agreement_id);
create index allocations_payment on allocations (payment_id);

create table penalty_accruals (
  agreement_id uuid          not null references agreements (id),
  period       integer       not null,
  on_date      date          not null,
  amount       numeric(14,2) not null,
  primary key (agreement_id, period, on_date)
);

create table unapplied_funds (
  agreement_id uuid          not null references agreements (id),
  payment_id   uuid          not null references payments (id),
  purpose      text          not null,
  remaining    numeric(14,2) not null check (remaining > 0),
  primary key (agreement_id, payment_id)
);

-- One refund per payment, created once (§2.6): the payout id is derived from the payment id.
create table refunds (
  payment_id   uuid          primary key references payments (id),
  agreement_id uuid          not null references agreements (id),
  payout_id    uuid          not null unique,
  amount       numeric(14,2) not null check (amount > 0),
  account      text          not null,
  status       text          not null default 'PENDING' check (status in ('PENDING', 'PAID', 'FAILED')),
  created_at   timestamptz   not null default now(),
  settled_at   timestamptz
);
create index refunds_agreement on refunds (agreement_id);

-- The double-entry ledger (§3.2 item 6), append-only. Each journal (lines sharing `journal_id`) balances.
-- `fact` names the business fact the lines belong to (a payment, a penalty day, a period's interest…): a
-- recomputation compares each fact's lines with what the core now says and posts the difference as a
-- new journal (REALLOCATION, PENALTY_REVERSAL), never editing a line.
create table ledger_entries (
  id           bigint generated always as identity primary key,
  journal_id   bigint        not null,
  agreement_id uuid          not null references agreements (id),
  fact         text          not null,
  type         text          not null check (type in ('DISBURSEMENT', 'REPAYMENT', 'PENALTY', 'INTEREST_DUE',
                                 'PREPAYMENT', 'PAYOFF', 'REFUND', 'REALLOCATION', 'PENALTY_REVERSAL')),
  on_date      date          not null,
  account      text          not null check (account in ('LOAN_PRINCIPAL', 'INTEREST_RECEIVABLE',
                                 'PENALTY_RECEIVABLE', 'CLIENT_FUNDS', 'SETTLEMENT', 'FEE_INCOME',
                                 'INTEREST_INCOME', 'PENALTY_INCOME', 'REFUND_PAYABLE')),
  debit        numeric(14,2) not null default 0 check (debit >= 0),
  credit       numeric(14,2) not null default 0 check (credit >= 0),
  payment_id   uuid,
  payout_id    uuid,
  created_at   timestamptz   not null default now(),
  check ((debit = 0) <> (credit = 0))
);
create sequence ledger_journal_seq;
create index ledger_entries_agreement on ledger_entries (agreement_id, journal_id);

create or replace function ledger_entries_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'ledger entries are append-only';
end $$;
create trigger ledger_entries_append_only before update or delete on ledger_entries
  for each statement execute function ledger_entries_append_only();
