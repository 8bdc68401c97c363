-- The claim's head test (shared/src/outbox/claim.ts, isAggregateHead) must find an aggregate's first
-- pending delivery to a destination through outbox_deliveries_head. On a table the planner believes tiny
-- (an outbox fills from empty faster than autovacuum analyses it) it chose outbox_deliveries_due instead,
-- whose predicate the head test satisfies too, and scanned that whole index for every candidate: a claim
-- of 100 took 40 s at 10 000 deliveries, and the deliveries it held locked stalled every other relay's
-- recording past their leases (found by the three-instance drain test, about one run in five).
-- The due index's predicate now also names next_attempt_at, which the head test never does, so it can no
-- longer serve it. The claim proves the new clause from its `next_attempt_at <= now()`; the probe says it.
drop index outbox_deliveries_due;
create index outbox_deliveries_due on outbox_deliveries (next_attempt_at, message_id)
  where delivered_at is null and dead_at is null and next_attempt_at is not null;
