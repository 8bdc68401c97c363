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

-- Inspection, for operators and `pnpm outbox <service> status`.

-- What waits, per topic: pending rows, how many are due now, how many have failed before, and the age
-- of the oldest (the lag a new message has to expect).
create view outbox_backlog as
select topic,
       count(*)                                           as pending,
       count(*) filter (where next_attempt_at <= now())   as due,
       count(*) filter (where attempts > 0)               as retrying,
       max(attempts)                                      as max_attempts,
       min(created_at)                                    as oldest_created_at,
       now() - min(created_at)                            as oldest_age
from outbox
where delivered_at is null and dead_at is null
group by topic;

-- Messages given up on after the last attempt, newest first; `pnpm outbox <service> retry` requeues them.
create view outbox_dead_letters as
select id, topic, aggregate_id, attempts, last_error, created_at, dead_at, payload
from outbox
where dead_at is not null
order by dead_at desc, id desc;

-- Throughput per topic: delivered in the last minute and hour, and how long those messages took.
create view outbox_delivery_rate as
select topic,
       count(*) filter (where delivered_at > now() - interval '1 minute') as last_minute,
       count(*)                                                           as last_hour,
       avg(delivered_at - created_at)                                     as avg_lag_last_hour,
       max(delivered_at)                                                  as last_delivered_at
from outbox
where delivered_at > now() - interval '1 hour'
group by topic;
