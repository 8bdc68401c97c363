-- Payouts: money PG sends out through the bank on PE's order (kind DISBURSEMENT, later REFUND).
-- The id is PE's payout id and the bank's transfer id: one id on every hop, so nothing is sent twice.
create table payouts (
  id                uuid primary key,
  kind              text          not null check (kind in ('DISBURSEMENT', 'REFUND')),
  agreement_id      uuid          not null,
  amount            numeric(14,2) not null check (amount > 0),
  currency          text          not null default 'RUB' check (currency = 'RUB'),
  account_number    text          not null check (account_number ~ '^[0-9]{20}$'),
  source_payment_id uuid,
  -- A fingerprint of the order as PE sent it: a repeat is told apart from another order under the same id.
  payload_hash      text          not null,
  status            text          not null default 'PENDING'
                      check (status in ('PENDING', 'IN_TRANSIT', 'PAID', 'FAILED')),
  failure_code      text,
  failure_message   text,
  -- The bank's settlement instant, not when PG learned it.
  settled_at        timestamptz,
  -- The bank worker's bookkeeping: calls made, when to look next (also a lease while a step runs),
  -- the last unknown outcome and since when the outcome has been unknown.
  bank_attempts     integer       not null default 0,
  next_check_at     timestamptz   not null default now(),
  last_error        text,
  unknown_since     timestamptz,
  created_at        timestamptz   not null default now(),
  updated_at        timestamptz   not null default now(),
  constraint payouts_final_has_instant check ((status in ('PAID', 'FAILED')) = (settled_at is not null)),
  constraint payouts_failed_has_code check ((status = 'FAILED') = (failure_code is not null))
);

-- One DISBURSEMENT per agreement: a second order for it is refused (PAYOUT_CONFLICT).
create unique index payouts_one_disbursement on payouts (agreement_id) where kind = 'DISBURSEMENT';
-- The worker's sweep: open payouts whose next look is due.
create index payouts_open on payouts (next_check_at) where status in ('PENDING', 'IN_TRANSIT');
create index payouts_created on payouts (created_at desc, id desc);
create index payouts_agreement on payouts (agreement_id, created_at desc, id desc);

-- Statuses only move forward (PENDING → IN_TRANSIT → PAID | FAILED, or PENDING → PAID | FAILED) and what
-- was ordered never changes: a bug that tried either fails its transaction instead of corrupting money.
create function payouts_guard() returns trigger language plpgsql as $$
begin
  if new.amount <> old.amount or new.kind <> old.kind or new.agreement_id <> old.agreement_id
     or new.account_number <> old.account_number or new.currency <> old.currency then
    raise exception 'payout %: what was ordered never changes', old.id;
  end if;
  if old.status <> new.status and (old.status in ('PAID', 'FAILED')
     or (old.status = 'IN_TRANSIT' and new.status = 'PENDING')) then
    raise exception 'payout %: % cannot become %', old.id, old.status, new.status;
  end if;
  return new;
end $$;

create trigger payouts_guard before update on payouts for each row execute function payouts_guard();

-- The agreement's status as PE announces it (agreement.status-changed): forward only. The next issue's
-- payments read it to tell whether an agreement is payable.
create table agreement_statuses (
  agreement_id uuid        primary key,
  status       text        not null check (status in ('ACTIVE', 'CLOSED', 'DISBURSEMENT_FAILED')),
  status_on    date        not null,
  status_at    timestamptz not null,
  updated_at   timestamptz not null default now()
);
