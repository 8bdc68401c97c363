-- Run once by the postgres image on an empty volume: one database per service. A volume made before the
-- Payment Gateway existed lacks `gateway`: create it by hand (`create database gateway;`).
create database pe;
create database origination;
create database gateway;
