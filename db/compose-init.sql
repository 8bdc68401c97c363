-- Run once by the postgres image on an empty volume: one database per service, and the operator registry's.
-- A volume made before the Payment Gateway existed lacks `gateway`, one made before operators lacks
-- `operators`: create it by hand (`create database gateway;`, `create database operators;`).
create database pe;
create database origination;
create database gateway;
create database operators;
