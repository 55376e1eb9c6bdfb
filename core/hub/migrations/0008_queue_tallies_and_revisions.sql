-- Queue tallies and visit revisions.
--
-- Tallies of each office day and service, kept beside its ticket counter: the visits issued
-- per lane (the quota's use) and the visits waiting, all and of the priority lane (the
-- tickets ahead of a new one; the priority lane is called first).
--
-- Every ticket issue and check-in read both, and counting them over the day's visits took
-- longer the more tickets the day had (800 tickets of one service made them a large part
-- of a ticket's cost in the hub_load bench). Triggers keep the tallies, in the statement
-- that inserts or changes a visit, so no code path can forget them; a visit's date,
-- service and lane never change after it is inserted (the triggers below refuse it), and
-- visits are never deleted (refused too), so an insert and a change of state are all that
-- move them. `core/hub/tests/queue_tallies.rs` checks them against the visits.

ALTER TABLE ticket_counters ADD COLUMN walk_in_issued INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket_counters ADD COLUMN appointment_issued INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket_counters ADD COLUMN priority_issued INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket_counters ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket_counters ADD COLUMN waiting_priority INTEGER NOT NULL DEFAULT 0;

-- Visits already stored. A day and service with visits always has a counter row (its
-- numbers came from it); one is made if not, never below the highest number stored.
INSERT INTO ticket_counters (office_date, service, last_number)
SELECT office_date, service, MAX(number) FROM visits WHERE true GROUP BY office_date, service
ON CONFLICT (office_date, service) DO UPDATE SET last_number = MAX(last_number, excluded.last_number);

UPDATE ticket_counters SET
    walk_in_issued = (SELECT COUNT(*) FROM visits v WHERE v.office_date = ticket_counters.office_date
                      AND v.service = ticket_counters.service AND v.lane = 'walk_in'),
    appointment_issued = (SELECT COUNT(*) FROM visits v WHERE v.office_date = ticket_counters.office_date
                          AND v.service = ticket_counters.service AND v.lane = 'appointment'),
    priority_issued = (SELECT COUNT(*) FROM visits v WHERE v.office_date = ticket_counters.office_date
                       AND v.service = ticket_counters.service AND v.lane = 'priority'),
    waiting = (SELECT COUNT(*) FROM visits v WHERE v.office_date = ticket_counters.office_date
               AND v.service = ticket_counters.service AND v.state = 'waiting'),
    waiting_priority = (SELECT COUNT(*) FROM visits v WHERE v.office_date = ticket_counters.office_date
                        AND v.service = ticket_counters.service AND v.state = 'waiting'
                        AND v.lane = 'priority');

-- A new visit counts in its lane, and as waiting if it waits. The counter row is made if
-- missing and raised to the visit's number if below it, so a number stored by any path is
-- never issued again.
CREATE TRIGGER visits_tally_insert AFTER INSERT ON visits
BEGIN
    INSERT INTO ticket_counters (office_date, service, last_number,
                                 walk_in_issued, appointment_issued, priority_issued, waiting,
                                 waiting_priority)
    VALUES (NEW.office_date, NEW.service, NEW.number,
            NEW.lane = 'walk_in', NEW.lane = 'appointment', NEW.lane = 'priority',
            NEW.state = 'waiting', NEW.state = 'waiting' AND NEW.lane = 'priority')
    ON CONFLICT (office_date, service) DO UPDATE SET
        last_number = MAX(last_number, excluded.last_number),
        walk_in_issued = walk_in_issued + excluded.walk_in_issued,
        appointment_issued = appointment_issued + excluded.appointment_issued,
        priority_issued = priority_issued + excluded.priority_issued,
        waiting = waiting + excluded.waiting,
        waiting_priority = waiting_priority + excluded.waiting_priority;
END;

-- A visit that starts or stops waiting moves the waiting tally.
CREATE TRIGGER visits_tally_state AFTER UPDATE OF state ON visits
WHEN (OLD.state = 'waiting') <> (NEW.state = 'waiting')
BEGIN
    UPDATE ticket_counters
    SET waiting = waiting + (NEW.state = 'waiting') - (OLD.state = 'waiting'),
        waiting_priority = waiting_priority
            + ((NEW.state = 'waiting') - (OLD.state = 'waiting')) * (NEW.lane = 'priority')
    WHERE office_date = NEW.office_date AND service = NEW.service;
END;

CREATE TRIGGER visits_keep_place BEFORE UPDATE OF office_date, service, lane ON visits
WHEN OLD.office_date IS NOT NEW.office_date OR OLD.service IS NOT NEW.service OR OLD.lane IS NOT NEW.lane
BEGIN
    SELECT RAISE(ABORT, 'a visit''s office date, service and lane never change (queue tallies)');
END;

CREATE TRIGGER visits_never_deleted BEFORE DELETE ON visits
BEGIN
    SELECT RAISE(ABORT, 'visits are never deleted (queue tallies)');
END;

-- The quota's use is read from the tallies now; this index served only its count.
DROP INDEX visits_quota;

-- A visit's revision: a random number drawn again at every write of its row
-- (`store::insert_visit`, `store::apply_event`), by which the hub knows whether the visit
-- it parsed before is still the stored one without reading the stored JSON
-- (`store::VisitCache`). The indexes a queue is read by carry it, so listing a day's
-- waiting visits with their revisions reads the index alone.
ALTER TABLE visits ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
DROP INDEX visits_waiting;
CREATE INDEX visits_waiting ON visits (office_date, service, state, revision);
DROP INDEX visits_open;
CREATE INDEX visits_open ON visits (office_date, state, revision);
