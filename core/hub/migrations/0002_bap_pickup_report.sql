-- BAPs, passport pickup, counter sessions and the indexes of the head's report (issue 8).

-- One row per version of a BAP (`loket_domain::Bap`). `content` holds the whole version as
-- JSON, personal data included, in this one column so that it can be encrypted at rest
-- without touching the other columns; the other columns carry no personal data and are what
-- the hub queries by. A draft's row is rewritten on every save (`revision` + 1); a signed
-- row never changes again; an amendment adds the row (id, version + 1).
CREATE TABLE baps (
    id          TEXT NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    number      TEXT NOT NULL,
    visit_id    INTEGER REFERENCES visits(id),
    office_date TEXT NOT NULL,
    status      TEXT NOT NULL,
    outcome     TEXT,
    examiner    TEXT NOT NULL,
    revision    INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    content     TEXT NOT NULL,
    PRIMARY KEY (id, version)
);
CREATE INDEX baps_visit ON baps (visit_id);
CREATE INDEX baps_date ON baps (office_date, id, version);
CREATE INDEX baps_number ON baps (number);

-- Drawn signatures (PNG), addressed by their SHA-256 like other blobs.
CREATE TABLE signatures (
    sha256     TEXT PRIMARY KEY,
    png        BLOB NOT NULL,
    created_at TEXT NOT NULL
);

-- Passports ready (or expected) for pickup, and their handover. `handover` is the JSON of
-- `loket_domain::Handover` once handed over.
CREATE TABLE pickups (
    receipt         TEXT PRIMARY KEY,
    visit_id        INTEGER REFERENCES visits(id),
    booking_code    TEXT,
    applicant_nik   TEXT NOT NULL,
    applicant_name  TEXT NOT NULL,
    passport_number TEXT,
    visit_date      TEXT NOT NULL,
    ready_on        TEXT,
    collected_at    TEXT,
    collected_date  TEXT,
    cancelled_at    TEXT,
    cancel_reason   TEXT,
    registered_at   TEXT NOT NULL,
    registered_by   TEXT NOT NULL,
    handover        TEXT
);
CREATE INDEX pickups_visit ON pickups (visit_id);
CREATE INDEX pickups_nik ON pickups (applicant_nik);
CREATE INDEX pickups_booking ON pickups (booking_code);
CREATE INDEX pickups_collected ON pickups (collected_date);
CREATE INDEX pickups_open ON pickups (collected_at, cancelled_at);

-- Who had which counter open, from when to when (the report's officers and idle time).
CREATE TABLE counter_sessions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    counter_id INTEGER NOT NULL REFERENCES counters(id),
    officer    TEXT NOT NULL,
    opened_at  TEXT NOT NULL,
    closed_at  TEXT
);
CREATE INDEX counter_sessions_open ON counter_sessions (counter_id, closed_at);
CREATE INDEX counter_sessions_time ON counter_sessions (opened_at);

-- The report reads the visits of a range of office days, then their events in visit order.
CREATE INDEX visits_date ON visits (office_date, id);
