-- The loan's life after approval, as PE reports it (agreement.status-changed): ACTIVE, CLOSED,
-- DISBURSEMENT_FAILED. Each needs the approval it follows.
alter table applications drop constraint applications_status_check;
alter table applications add constraint applications_status_check
  check (status in ('IN_PROGRESS', 'APPROVED', 'REJECTED', 'PAYMENT_PENDING', 'WITHDRAWN',
                    'ACTIVE', 'CLOSED', 'DISBURSEMENT_FAILED'));
alter table applications drop constraint applications_status_decision;
alter table applications add constraint applications_status_decision
  check (case status
           when 'IN_PROGRESS' then decision_result is null
           when 'REJECTED' then decision_result is not distinct from 'REJECTED'
           when 'WITHDRAWN' then true
           else decision_result is not distinct from 'APPROVED'
         end);
-- When the loan started and ended as PE reports it (its business dates).
alter table applications add column active_on date, add column closed_on date;
