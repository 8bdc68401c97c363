-- The transactional outbox: a message is written in the same transaction as the change it announces,
-- and the relay delivers it to the peer until the peer acknowledges it.
create table outbox (
  id              bigint generated always as identity primary key,
  aggregate_id    text        not null,
  topic           text        not null,
  payload         jsonb       not null,
  created_at      timestamptz not null default now(),
  attempts        integer     not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error      text,
  delivered_at    timestamptz,
  dead_at         timestamptz,
  constraint outbox_delivered_or_dead check (delivered_at is null or dead_at is null)
);

-- Pending rows, in the order the relay claims them.
create index outbox_pending_due on outbox (next_attempt_at, id)
  where delivered_at is null and dead_at is null;

-- Per-aggregate ordering: "is an earlier message of this aggregate still pending?"
create index outbox_pending_aggregate on outbox (aggregate_id, id)
  where delivered_at is null and dead_at is null;

-- Retention purges delivered rows by age.
create index outbox_delivered_at on outbox (delivered_at) where delivered_at is not null;
