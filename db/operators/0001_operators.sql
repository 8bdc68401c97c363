-- The operator registry (shared/src/operators/): one database that every service reads, as an identity
-- provider would be. Operators and their tokens; a token is stored as an argon2id hash only, found by the
-- non-secret id embedded in it (`op_<id>_<secret>`), so a check verifies one hash.
create table operators (
  id         uuid        primary key,
  name       text        not null unique check (name ~ '^[A-Za-z0-9._@-]{1,100}$'),
  role       text        not null check (role in ('viewer', 'officer', 'operator', 'risk', 'admin')),
  created_at timestamptz not null default now(),
  -- who made it: an operator's name, `bootstrap-admin` (ADMIN_TOKEN) or `cli` (pnpm operators)
  created_by text        not null
);

create table operator_tokens (
  id          uuid        primary key,
  operator_id uuid        not null references operators (id),
  -- argon2id (PHC string) of the token's secret part
  hash        text        not null,
  -- the secret's last four characters, to tell tokens apart in a list; the rest is never kept
  last4       text        not null,
  created_at  timestamptz not null default now(),
  revoked_at  timestamptz
);

create index operator_tokens_operator on operator_tokens (operator_id);
