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

-- Keys PE stored on the agreement itself before: they were global, so they match any caller, and their
-- answer is the agreement as it reads now (resource_id), as it was answered then.
insert into idempotency_keys (scope, key, method, path, request_hash, status, response_headers, resource_id, created_at)
select '*', idempotency_key, 'POST', '/agreements', request_hash, 201,
       jsonb_build_object('Location', '/agreements/' || id), id::text, created_at
from agreements
where idempotency_key is not null and request_hash is not null and created_at > now() - interval '24 hours';
