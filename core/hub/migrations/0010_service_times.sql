-- Recent service times per service, for the estimated wait every ticket answers with.
--
-- A ticket's outlook took the service's last `sample_size` service times by walking the
-- office's finished events newest first and looking up each event's visit for its
-- service: with five services about a hundred events and two hundred row lookups per
-- ticket, about half of a ticket's cost once the day had finished visits (the hub_load
-- bench, phase 2). This table holds each finished event's service time under its service,
-- in event order, so the sample is one short range of its key. A trigger fills it in the
-- statement that inserts the event, so no code path can forget it; events and visits are
-- never deleted, so an insert is all that moves it.

CREATE TABLE service_times (
    service  TEXT NOT NULL,
    event_id INTEGER NOT NULL REFERENCES visit_events(id),
    seconds  INTEGER NOT NULL,
    PRIMARY KEY (service, event_id)
) WITHOUT ROWID;

INSERT INTO service_times (service, event_id, seconds)
SELECT v.service, e.id, e.service_seconds
FROM visit_events e JOIN visits v ON v.id = e.visit_id
WHERE e.kind = 'finished' AND e.service_seconds IS NOT NULL;

CREATE TRIGGER visit_events_service_time AFTER INSERT ON visit_events
WHEN NEW.kind = 'finished' AND NEW.service_seconds IS NOT NULL
BEGIN
    INSERT INTO service_times (service, event_id, seconds)
    SELECT service, NEW.id, NEW.service_seconds FROM visits WHERE id = NEW.visit_id;
END;
