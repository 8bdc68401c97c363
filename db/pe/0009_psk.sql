-- The full cost of credit (EXCEPTIONS D19, §2.4, §3.11–3.12). The agreement keeps its current PSK on its
-- own row rather than in a table keyed by schedule version: the answer shows one PSK (the list included,
-- which reads only this row), an indicative one exists before there is any schedule version, and every
-- figure can be recomputed from the stored versions and payments; psk_schedule_version says which version
-- it was computed on. Null only on agreements created before this migration: one not yet disbursed gets it at
-- the disbursement, an ACTIVE one at its next recomputation (the daily job), a CLOSED one keeps none.

alter table products
  -- 353-FZ art. 6 part 11: at most 365 %; a lender sets the Bank of Russia's average plus a third if lower.
  add column psk_ceiling numeric(6,3) not null default 365.000
    check (psk_ceiling >= 0.001 and psk_ceiling <= 365.000);

alter table agreements
  add column psk_percent          numeric(9,3)  check (psk_percent >= 0),
  add column psk_amount           numeric(14,2),
  -- false while indicative (dates from the creation's business date), true from the disbursement on.
  add column psk_final            boolean,
  add column psk_schedule_version integer       check (psk_schedule_version >= 1),
  add constraint agreements_psk_whole check (
    (psk_percent is null) = (psk_amount is null) and (psk_percent is null) = (psk_final is null)
    and (psk_percent is null) = (psk_schedule_version is null));
