-- Run once by the postgres image on an empty volume: one database per service.
create database pe;
create database origination;
create database gateway;
