create table products (
  code                text primary key,
  name                text          not null,
  amortization        text          not null default 'ANNUITY' check (amortization in ('ANNUITY', 'EQUAL_PRINCIPAL')),
  min_term_months     integer       not null check (min_term_months >= 1),
  max_term_months     integer       not null,
  min_principal       numeric(14,2) not null check (min_principal > 0),
  max_principal       numeric(14,2) not null,
  min_interest_rate   numeric(7,4)  not null check (min_interest_rate >= 0),
  max_interest_rate   numeric(7,4)  not null,
  min_origination_fee numeric(14,2) not null check (min_origination_fee >= 0),
  max_origination_fee numeric(14,2) not null,
  created_at          timestamptz   not null default now(),
  check (min_term_months <= max_term_months),
  check (min_principal <= max_principal),
  check (min_interest_rate <= max_interest_rate),
  check (min_origination_fee <= max_origination_fee)
);

insert into products (code, name, amortization, min_term_months, max_term_months, min_principal, max_principal,
                      min_interest_rate, max_interest_rate, min_origination_fee, max_origination_fee)
values ('CL1.0', 'Consumer loan', 'ANNUITY', 3, 24, 50000, 500000, 8, 15, 2000, 10000);

create table clients (
  id              uuid primary key default gen_random_uuid(),
  passport_number text          not null unique,
  first_name      text          not null,
  last_name       text          not null,
  middle_name     text,
  birth_date      date          not null,
  email           text          not null,
  phone           text          not null,
  monthly_income  numeric(14,2) not null check (monthly_income >= 0),
  created_at      timestamptz   not null default now(),
  updated_at      timestamptz   not null default now()
);

create table agreements (
  id                  uuid primary key default gen_random_uuid(),
  client_id           uuid          not null references clients (id),
  product_code        text          not null references products (code),
  status              text          not null default 'NEW'
                        check (status in ('NEW', 'IN_PROGRESS', 'APPROVED', 'REJECTED', 'WITHDRAWN')),
  disbursement_amount numeric(14,2) not null check (disbursement_amount > 0),
  origination_fee     numeric(14,2) not null check (origination_fee >= 0),
  principal           numeric(14,2) not null check (principal > 0),
  term_months         integer       not null check (term_months >= 1),
  interest_rate       numeric(7,4)  not null check (interest_rate >= 0),
  monthly_payment     numeric(14,2) not null,
  decision_result     text check (decision_result in ('APPROVED', 'REJECTED')),
  decision_reasons    jsonb,
  decided_at          timestamptz,
  idempotency_key     text,
  request_hash        text,
  created_at          timestamptz   not null default now(),
  updated_at          timestamptz   not null default now(),
  check (principal = disbursement_amount + origination_fee)
);

create unique index agreements_idempotency_key on agreements (idempotency_key) where idempotency_key is not null;
create index agreements_client on agreements (client_id, created_at desc, id desc);
create index agreements_status on agreements (status, created_at desc, id desc);
create index agreements_created on agreements (created_at desc, id desc);

-- One row per status an agreement has entered; the key makes a repeated transition impossible.
create table agreement_status_history (
  agreement_id uuid        not null references agreements (id),
  status       text        not null check (status in ('NEW', 'IN_PROGRESS', 'APPROVED', 'REJECTED', 'WITHDRAWN')),
  at           timestamptz not null default clock_timestamp(),
  primary key (agreement_id, status)
);

create table schedule_payments (
  agreement_id uuid          not null references agreements (id),
  period       integer       not null check (period >= 1),
  due_date     date          not null,
  payment      numeric(14,2) not null check (payment >= 0),
  principal    numeric(14,2) not null check (principal >= 0),
  interest     numeric(14,2) not null check (interest >= 0),
  balance      numeric(14,2) not null check (balance >= 0),
  status       text          not null default 'PENDING' check (status in ('PENDING', 'PAID', 'OVERDUE')),
  primary key (agreement_id, period)
);
