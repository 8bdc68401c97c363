-- The Idempotency-Key layer (shared/src/http/idempotency.ts): one row per caller and key, inserted by the
-- transaction that creates the resource and completed with its answer in that same transaction, so a key
-- exists only together with what it created. Rows are purged once older than 24 hours.
create table idempotency_keys (
  -- sha256 (hex) of the caller's API key; '' when the API needs no key; '*' for keys from before callers
  -- were told apart (they match any caller)
  scope            text        not null,
  key              text        not null,
  method           text        not null,
  path             text        not null,
  -- sha256 (hex) of the validated request, written canonically
  request_hash     text        not null,
  -- the answer, written before the transaction commits: never null once another request can see the row
  status           smallint,
  response_body    text,
  response_headers jsonb       not null default '{}',
  -- what was created (an agreement's id, say), for an operator and for answers not stored whole
  resource_id      text,
  created_at       timestamptz not null default now(),
  primary key (scope, key)
);

create index idempotency_keys_created on idempotency_keys (created_at);
