-- Four-eyes approval (shared/src/approvals/): an action marked for it is kept here, as its requester asked
-- it, until a second operator approves it (the action runs then, once, in the transaction that marks the
-- row APPROVED), rejects it, or it expires. FAILED: approved, but the action itself refused (its error
-- in `result`); final, like the others.
create table approvals (
  id                 uuid        primary key,
  action             text        not null,
  target             text        not null,
  -- the requester's validated input, exactly as asked: what the action runs with
  request            jsonb       not null,
  requested_by_id    text,
  requested_by_name  text        not null,
  requested_by_role  text        not null,
  requested_at       timestamptz not null default now(),
  expires_at         timestamptz not null,
  status             text        not null default 'PENDING'
                     check (status in ('PENDING', 'APPROVED', 'REJECTED', 'EXPIRED', 'FAILED')),
  decided_by_id      text,
  decided_by_name    text,
  decided_at         timestamptz,
  -- what the action answered (APPROVED) or its error (FAILED)
  result             jsonb,
  request_id         text,
  check ((status = 'PENDING') = (decided_at is null))
);

create index approvals_status on approvals (status, requested_at desc, id desc);
create index approvals_requested on approvals (requested_at desc, id desc);
