-- The request id a message was written under travels with it to the peer, so one id follows an
-- application through both services' logs.
alter table outbox add column request_id text;

-- Dead rows per topic for the metrics scrape, without reading the delivered history.
create index outbox_dead on outbox (topic) where dead_at is not null;

-- The dead letters, now with the request id to look for in the logs.
create or replace view outbox_dead_letters as
select id, topic, aggregate_id, attempts, last_error, created_at, dead_at, payload, request_id
from outbox
where dead_at is not null
order by dead_at desc, id desc;
