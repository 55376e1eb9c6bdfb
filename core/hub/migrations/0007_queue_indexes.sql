-- Indexes for the per-request queries of a busy day (found with the hub_load bench):
-- the quota used per lane at every ticket issue, the tickets waiting ahead in every
-- ticket's answer, and the candidates of every call. Without them each of those read
-- every visit of the day, so a ticket took longer the more tickets the day had.
CREATE INDEX visits_quota ON visits (office_date, service, lane);
CREATE INDEX visits_waiting ON visits (office_date, service, state);
