-- The application date is PE's business date at creation (LIFECYCLE §8.11), carried in agreement.created
-- as applicationDate; the AGE rule reads it. Rows from before, and messages from a PE that does not send
-- it yet, take the UTC date the application arrived, which is what scoring used until now.
alter table applications add column application_date date;
update applications set application_date = (created_at at time zone 'UTC')::date;
alter table applications
  alter column application_date set default ((now() at time zone 'UTC')::date),
  alter column application_date set not null;
