-- The audit trail (shared/src/audit/): one row per operator action, allowed or refused, in every service's
-- database. A handler writes its row in the transaction of the action, so the row commits with what it
-- records; the HTTP middleware writes one for a request its handler did not record (refusals included).
-- Rows are never changed or removed: the triggers below refuse UPDATE, DELETE and TRUNCATE for everyone,
-- the table's owner included, since a trail anyone could edit proves nothing.
create table audit_log (
  id            bigserial   primary key,
  at            timestamptz not null default clock_timestamp(),
  -- the operator registry lives in another database: its ids are kept as text, without a foreign key;
  -- null for the bootstrap admin (ADMIN_TOKEN) and for a caller nobody could identify
  operator_id   text,
  -- 'unknown' when the request was refused before an operator was identified
  operator_name text        not null,
  role          text,
  -- the token's id, never the token; or for an unknown caller a masked prefix of what it sent
  token_hint    text,
  action        text        not null,
  target        text,
  request_id    text,
  outcome       text        not null check (outcome in ('ALLOWED', 'REFUSED', 'FAILED')),
  status        smallint    not null,
  error_code    text,
  -- what changed, masked (shared/src/mask.ts): never a secret or a whole personal field
  summary       jsonb       not null default '{}'
);

-- GET /admin/audit reads newest first, by id, optionally for one target, operator or action.
create index audit_log_target on audit_log (target, id desc);
create index audit_log_operator_name on audit_log (operator_name, id desc);
create index audit_log_operator_id on audit_log (operator_id, id desc) where operator_id is not null;
create index audit_log_action on audit_log (action, id desc);

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % is not allowed', tg_op
    using errcode = 'insufficient_privilege', hint = 'audit rows are never changed or removed';
end
$$;

create trigger audit_log_no_update_delete before update or delete on audit_log
  for each row execute function audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_append_only();
