-- The business events (spec EVENTS.md; shared/src/events/): one row per event, written by emitEvent in the
-- transaction of the change it reports, so a rolled-back change leaves none (E1). Every service database
-- has the table; GET /events serves it.
--
-- The feed's order is (xid, position), served only below the reading snapshot's xmin (feed.ts says why):
-- `position` comes from a sequence at insert, `xid` is the writer's top-level transaction id
-- (pg_current_xact_id(), xid8: 64 bits, never wraps). Both are fixed once written, so the envelope's
-- `sequence`, built from them, is stable.
create table events (
  position     bigint      generated always as identity,
  xid          xid8        not null default pg_current_xact_id(),
  id           uuid        not null default gen_random_uuid(),
  source       text        not null,
  type         text        not null,
  subject      text        not null,
  -- clock_timestamp() at the insert: the commit's own instant is not knowable inside the transaction
  time         timestamptz not null default clock_timestamp(),
  dataschema   text        not null,
  -- the business date in effect (PE's events); null elsewhere
  businessdate date,
  data         jsonb       not null,
  primary key (xid, position)
);

-- The feed with a type filter, or a subject filter, each in feed order.
create index events_type on events (type, xid, position);
create index events_subject on events (subject, xid, position);

-- The retention purge removes a prefix of the feed (in feed order); the last key it removed is kept here,
-- so a cursor before it is answered 410 CURSOR_EXPIRED instead of silently skipping what was removed.
create table events_horizon (
  one      boolean primary key default true check (one),
  xid      xid8    not null,
  position bigint  not null
);
