-- Payments: money a client pays in through PG (POST /payments), collected by the bank from the payer's
-- account. The id is the bank's transfer id, so a payment is collected at most once whatever is retried.
create table payments (
  id               uuid primary key,
  agreement_id     uuid          not null,
  amount           numeric(14,2) not null check (amount > 0),
  purpose          text          not null check (purpose in ('REGULAR', 'EARLY_REPAYMENT')),
  payer_account    text          not null check (payer_account ~ '^[0-9]{20}$'),
  status           text          not null default 'PROCESSING'
                     check (status in ('PROCESSING', 'SUCCEEDED', 'FAILED')),
  failure_code     text,
  failure_message  text,
  -- The bank's settlement instant, not when PG learned it: PE values the payment on it.
  succeeded_at     timestamptz,
  -- When the bank first answered that it holds the transfer: from then on the worker polls instead of
  -- submitting (a payout says the same with IN_TRANSIT; a payment has no such status).
  bank_accepted_at timestamptz,
  -- The bank worker's bookkeeping, as for payouts: calls made, when to look next (also a lease while a
  -- step runs), the last unknown outcome and since when the outcome has been unknown.
  bank_attempts    integer       not null default 0,
  next_check_at    timestamptz   not null default now(),
  last_error       text,
  unknown_since    timestamptz,
  created_at       timestamptz   not null default now(),
  updated_at       timestamptz   not null default now(),
  constraint payments_succeeded_has_instant check ((status = 'SUCCEEDED') = (succeeded_at is not null)),
  constraint payments_failed_has_code check ((status = 'FAILED') = (failure_code is not null))
);

-- The worker's sweep: payments still with the bank whose next look is due.
create index payments_open on payments (next_check_at) where status = 'PROCESSING';
create index payments_created on payments (created_at desc, id desc);
create index payments_agreement on payments (agreement_id, created_at desc, id desc);

-- PROCESSING → SUCCEEDED | FAILED, both final; what was paid, by whom and for what never changes.
create function payments_guard() returns trigger language plpgsql as $$
begin
  if new.amount <> old.amount or new.agreement_id <> old.agreement_id or new.purpose <> old.purpose
     or new.payer_account <> old.payer_account then
    raise exception 'payment %: what was paid never changes', old.id;
  end if;
  if old.status <> new.status and old.status in ('SUCCEEDED', 'FAILED') then
    raise exception 'payment %: % cannot become %', old.id, old.status, new.status;
  end if;
  return new;
end $$;

create trigger payments_guard before update on payments for each row execute function payments_guard();

-- A refund is made once per payment (PE derives its payout id from the payment id); another may follow
-- only if the first failed (an operator's decision).
create unique index payouts_one_refund_per_payment on payouts (source_payment_id)
  where kind = 'REFUND' and status <> 'FAILED';
create index payouts_refunds on payouts (agreement_id) where kind = 'REFUND';

-- The bank moves money both ways: OUT pays into the account (a payout), IN collects from it (a payment).
alter table bank.transfers
  add column direction text not null default 'OUT' check (direction in ('OUT', 'IN'));
