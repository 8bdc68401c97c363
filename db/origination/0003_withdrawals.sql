-- Every withdrawal PE sent, whether or not the application had arrived yet. PE delivers an agreement's
-- messages in order, so `agreement.created` normally comes first; but when it went dead and is requeued
-- by an operator, the withdrawal comes first, and intake must find it here and open the application as
-- WITHDRAWN, unscored.
create table withdrawals (
  agreement_id uuid        primary key,
  -- When the client withdrew, by PE's clock.
  withdrawn_at timestamptz not null,
  received_at  timestamptz not null default now()
);
