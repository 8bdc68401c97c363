-- Destinations: a topic goes to one or more peers, and each message's delivery to each of them is tracked,
-- retried, ordered and given up on by itself. The `outbox` row keeps its columns as a summary of its
-- deliveries: `delivered_at` once every destination acknowledged, `dead_at` once any delivery is dead, so
-- "delivered_at is null and dead_at is null" still means pending.

-- A peer, and what every relay instance knows of its health. While `failing_since` is set, no batches go to
-- it: one probe at a time does (`probe_lease_until`, at most every probe interval, `last_probe_at`), and the
-- first answer it gives makes its waiting deliveries due at once.
create table outbox_destinations (
  name              text primary key,
  failing_since     timestamptz,
  last_error        text,
  probe_lease_until timestamptz,
  last_probe_at     timestamptz
);

-- Where each topic goes: written by the relays as they start, read by enqueue, which writes a message's
-- deliveries in the statement that writes the message.
create table outbox_routes (
  topic       text not null,
  destination text not null references outbox_destinations (name),
  primary key (topic, destination)
);

create table outbox_deliveries (
  message_id      bigint      not null references outbox (id) on delete cascade,
  destination     text        not null,
  -- Copied from the message, for the per-(destination, aggregate) head test and the views.
  topic           text        not null,
  aggregate_id    text        not null,
  -- Tries counted against the limit: each batch or probe that sent it while it was due.
  attempts        integer     not null default 0,
  -- Every claim, counted: fences the recording of an answer against a relay that outlived its lease.
  claims          integer     not null default 0,
  next_attempt_at timestamptz not null default now(),
  -- Set while a relay has it in flight (the claim's lease), so a probe never sends it a second time.
  leased_until    timestamptz,
  last_error      text,
  delivered_at    timestamptz,
  dead_at         timestamptz,
  primary key (message_id, destination),
  constraint outbox_deliveries_delivered_or_dead check (delivered_at is null or dead_at is null)
);

-- Pending deliveries, in the order the relay claims them.
create index outbox_deliveries_due on outbox_deliveries (next_attempt_at, message_id)
  where delivered_at is null and dead_at is null;

-- Per-(destination, aggregate) ordering: "is an earlier message of this aggregate still pending there?"
-- Also what a recovered destination's backlog is found by.
create index outbox_deliveries_head on outbox_deliveries (destination, aggregate_id, message_id)
  where delivered_at is null and dead_at is null;

create index outbox_deliveries_dead on outbox_deliveries (topic, destination) where dead_at is not null;

create index outbox_deliveries_delivered_at on outbox_deliveries (delivered_at) where delivered_at is not null;

-- Pending messages of a database made before destinations have no deliveries yet: the relay gives them
-- theirs from the routes it declares (and so does it for a message of a topic that had no route when it was
-- written). Dead ones keep their summary and show in outbox_dead_letters without a destination.

drop view outbox_backlog;
drop view outbox_dead_letters;
drop view outbox_delivery_rate;

-- What waits, per topic and destination: pending deliveries, how many are due now, how many have failed
-- before, and the age of the oldest. A pending message of a topic with no route shows with no destination.
create view outbox_backlog as
select o.topic,
       d.destination,
       count(*)                                              as pending,
       count(*) filter (where d.next_attempt_at <= now())    as due,
       count(*) filter (where d.attempts > 0)                as retrying,
       coalesce(max(d.attempts), 0)                          as max_attempts,
       min(o.created_at)                                     as oldest_created_at,
       now() - min(o.created_at)                             as oldest_age
from outbox o
left join outbox_deliveries d
  on d.message_id = o.id and d.delivered_at is null and d.dead_at is null
where o.delivered_at is null and o.dead_at is null
  and (d.message_id is not null or not exists (select 1 from outbox_deliveries x where x.message_id = o.id))
group by o.topic, d.destination;

-- Deliveries given up on, newest first; `pnpm outbox <service> retry` requeues them. A message marked dead
-- without a dead delivery (before destinations, or by hand) shows with no destination.
create view outbox_dead_letters as
select o.id, o.topic, d.destination, o.aggregate_id, d.attempts, d.last_error, o.created_at, d.dead_at,
       o.payload, o.request_id
from outbox_deliveries d
join outbox o on o.id = d.message_id
where d.dead_at is not null
union all
select o.id, o.topic, null, o.aggregate_id, o.attempts, o.last_error, o.created_at, o.dead_at,
       o.payload, o.request_id
from outbox o
where o.dead_at is not null
  and not exists (select 1 from outbox_deliveries x where x.message_id = o.id and x.dead_at is not null)
order by dead_at desc, id desc;

-- Throughput per topic and destination: delivered in the last minute and hour, and how long they took.
create view outbox_delivery_rate as
select d.topic,
       d.destination,
       count(*) filter (where d.delivered_at > now() - interval '1 minute') as last_minute,
       count(*)                                                             as last_hour,
       avg(d.delivered_at - o.created_at)                                   as avg_lag_last_hour,
       max(d.delivered_at)                                                  as last_delivered_at
from outbox_deliveries d
join outbox o on o.id = d.message_id
where d.delivered_at > now() - interval '1 hour'
group by d.topic, d.destination;
