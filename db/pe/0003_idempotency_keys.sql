-- Keys PE stored on the agreement itself before: they were global, so they match any caller, and their
-- answer is the agreement as it reads now (resource_id), as it was answered then.
insert into idempotency_keys (scope, key, method, path, request_hash, status, response_headers, resource_id, created_at)
select '*', idempotency_key, 'POST', '/agreements', request_hash, 201,
       jsonb_build_object('Location', '/agreements/' || id), id::text, created_at
from agreements
where idempotency_key is not null and request_hash is not null and created_at > now() - interval '24 hours';
