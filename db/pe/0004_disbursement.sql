-- Disbursement (LIFECYCLE §1.1, §2.2): APPROVED → DISBURSING → ACTIVE | DISBURSEMENT_FAILED, and CLOSED
-- to come. The agreement keeps its one DISBURSEMENT payout: the id PG and the bank know it by, the account,
-- and what came back.
alter table agreements drop constraint agreements_status_check;
alter table agreements add constraint agreements_status_check
  check (status in ('NEW', 'IN_PROGRESS', 'APPROVED', 'REJECTED', 'WITHDRAWN',
                    'DISBURSING', 'ACTIVE', 'CLOSED', 'DISBURSEMENT_FAILED'));
alter table agreement_status_history drop constraint agreement_status_history_status_check;
alter table agreement_status_history add constraint agreement_status_history_status_check
  check (status in ('NEW', 'IN_PROGRESS', 'APPROVED', 'REJECTED', 'WITHDRAWN',
                    'DISBURSING', 'ACTIVE', 'CLOSED', 'DISBURSEMENT_FAILED'));

alter table agreements
  add column disbursement_id              uuid unique,
  add column disbursement_account         text check (disbursement_account ~ '^[0-9]{20}$'),
  add column disbursement_status          text check (disbursement_status in ('REQUESTED', 'PAID', 'FAILED')),
  add column disbursement_requested_at    timestamptz,
  -- The bank's settlement instant as PG reported it, and its UTC date: interest runs from that day.
  add column disbursement_settled_at      timestamptz,
  add column disbursed_on                 date,
  add column disbursement_failure_code    text,
  add column disbursement_failure_message text,
  -- Null while the schedule is indicative (dated from creation); the disbursement date once re-anchored.
  add column schedule_anchored_on         date,
  add constraint agreements_disbursement_whole check (
    (disbursement_id is null) = (disbursement_status is null)
    and (disbursement_id is null) = (disbursement_account is null)
    and (disbursement_id is null) = (disbursement_requested_at is null)
    and (disbursement_status = 'PAID') = (disbursed_on is not null)
    and (disbursement_status = 'FAILED') = (disbursement_failure_code is not null));
