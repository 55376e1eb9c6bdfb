-- The queue's two indexes keep their entries in visit order: the id before the revision.
-- With the revision (random, migration 0008) right after the state, every new ticket and
-- every state change landed at a random place of the day's index range, so each ticket of
-- a batch wrote its own index pages to the WAL (about three 4 KiB pages per ticket at 50
-- kiosks, found with the hub_load bench); in id order new tickets share the range's last
-- page. The lists still read id and revision from the index alone, now already in id order.
DROP INDEX visits_waiting;
CREATE INDEX visits_waiting ON visits (office_date, service, state, id, revision);
DROP INDEX visits_open;
CREATE INDEX visits_open ON visits (office_date, state, id, revision);
