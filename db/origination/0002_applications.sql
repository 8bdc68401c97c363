-- Origination's record of each agreement PE sent it, and of the decision on it.
create table applications (
  agreement_id     uuid primary key,
  client_id        uuid          not null,
  status           text          not null default 'IN_PROGRESS'
                     check (status in ('IN_PROGRESS', 'APPROVED', 'REJECTED', 'PAYMENT_PENDING', 'WITHDRAWN')),
  product_code     text          not null,
  birth_date       date          not null,
  monthly_income   numeric(14,2) not null,
  principal        numeric(14,2) not null,
  term_months      integer       not null,
  interest_rate    numeric(7,4)  not null,
  monthly_payment  numeric(14,2) not null,
  last_due_date    date          not null,
  -- Hash of the normalised payload as first received (payload-hash.ts): the same agreement id with
  -- another payload is refused.
  payload_hash     text          not null,
  decision_result  text check (decision_result in ('APPROVED', 'REJECTED')),
  decision_reasons jsonb,
  decided_at       timestamptz,
  created_at       timestamptz   not null default now(),
  updated_at       timestamptz   not null default now(),
  -- A decision is recorded whole or not at all, and the status agrees with it (WITHDRAWN may follow either).
  constraint applications_decision_whole
    check ((decision_result is null) = (decided_at is null) and (decision_result is null) = (decision_reasons is null)),
  constraint applications_status_decision
    check (case status
             when 'IN_PROGRESS' then decision_result is null
             when 'APPROVED' then decision_result is not distinct from 'APPROVED'
             when 'PAYMENT_PENDING' then decision_result is not distinct from 'APPROVED'
             when 'REJECTED' then decision_result is not distinct from 'REJECTED'
             else true
           end)
);

create index applications_client on applications (client_id, status);
create index applications_status on applications (status, created_at desc, agreement_id desc);
create index applications_created on applications (created_at desc, agreement_id desc);
