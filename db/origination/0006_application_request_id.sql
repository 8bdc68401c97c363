-- The request id the application came with (agreement.created carries PE's), so the decision's log lines
-- and its application.decided outbox row carry it on. It was in the data of a pg-boss scoring job until
-- the applications table itself became scoring's queue: an IN_PROGRESS application is the work item.
-- Applications from before have none (an application still IN_PROGRESS at the upgrade is decided
-- without it).
alter table applications add column request_id text;
