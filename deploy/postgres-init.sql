-- One database per service, each owned by the styr role the apps connect as.
CREATE DATABASE styr_goals OWNER styr;
CREATE DATABASE styr_budget OWNER styr;
CREATE DATABASE styr_audit OWNER styr;
