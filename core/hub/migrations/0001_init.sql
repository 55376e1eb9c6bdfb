-- The office hub's database. Times are RFC 3339 UTC text; office dates are YYYY-MM-DD in
-- the office's time zone. Domain values (visits, events) are stored as the JSON of the
-- loket-domain types next to the columns the hub queries by.

CREATE TABLE office_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Kind of day per date (regular, weekend_simpatik, mobile_service); no row = regular.
CREATE TABLE office_days (
    office_date TEXT PRIMARY KEY,
    day_kind    TEXT NOT NULL,
    closed_at   TEXT,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL
);

-- Quotas set for one date and service (override of the standing table in the config).
CREATE TABLE quota_overrides (
    office_date TEXT NOT NULL,
    service     TEXT NOT NULL,
    walk_in     INTEGER NOT NULL CHECK (walk_in >= 0),
    appointment INTEGER NOT NULL CHECK (appointment >= 0),
    priority    INTEGER NOT NULL CHECK (priority >= 0),
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    PRIMARY KEY (office_date, service)
);

-- The last ticket number issued per office day and service: bumped in the transaction that
-- stores the ticket, so numbers are gapless and never issued twice.
CREATE TABLE ticket_counters (
    office_date TEXT NOT NULL,
    service     TEXT NOT NULL,
    last_number INTEGER NOT NULL,
    PRIMARY KEY (office_date, service)
);

CREATE TABLE counters (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    services   TEXT NOT NULL DEFAULT '[]',
    stages     TEXT NOT NULL DEFAULT '[]',
    is_open    INTEGER NOT NULL DEFAULT 0,
    officer    TEXT,
    opened_at  TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE visits (
    id              INTEGER PRIMARY KEY,
    office_date     TEXT NOT NULL,
    service         TEXT NOT NULL,
    lane            TEXT NOT NULL,
    number          INTEGER NOT NULL,
    ticket          TEXT NOT NULL,
    state           TEXT NOT NULL,
    counter_id      INTEGER REFERENCES counters(id),
    booking_code    TEXT,
    applicant_index INTEGER,
    payment_not_verified INTEGER NOT NULL DEFAULT 0,
    outcome         TEXT,
    issued_at       TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    data            TEXT NOT NULL,
    UNIQUE (office_date, service, number)
);
CREATE INDEX visits_open ON visits (office_date, state);
CREATE INDEX visits_counter ON visits (counter_id, state);
CREATE UNIQUE INDEX visits_booking_applicant ON visits (booking_code, applicant_index)
    WHERE booking_code IS NOT NULL;

CREATE TABLE visit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    visit_id   INTEGER NOT NULL REFERENCES visits(id),
    kind       TEXT NOT NULL,
    at         TEXT NOT NULL,
    counter_id INTEGER,
    actor      TEXT,
    service_seconds INTEGER,
    data       TEXT NOT NULL
);
CREATE INDEX visit_events_visit ON visit_events (visit_id);
CREATE INDEX visit_events_kind ON visit_events (kind, id);

CREATE TABLE officers (
    username      TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until  TEXT,
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES officers(username),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE devices (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL UNIQUE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Local copy of this office's M-Paspor bookings.
CREATE TABLE bookings (
    code           TEXT PRIMARY KEY,
    office_code    TEXT NOT NULL,
    booking_date   TEXT NOT NULL,
    slot_start     TEXT NOT NULL,
    payment        TEXT NOT NULL,
    billing_code   TEXT,
    cancelled      INTEGER NOT NULL DEFAULT 0,
    rescheduled    INTEGER NOT NULL DEFAULT 0,
    payment_stale  INTEGER NOT NULL DEFAULT 0,
    updated_at     TEXT NOT NULL
);
CREATE INDEX bookings_date ON bookings (booking_date);

CREATE TABLE applicants (
    booking_code TEXT NOT NULL REFERENCES bookings(code) ON DELETE CASCADE,
    idx          INTEGER NOT NULL,
    name         TEXT NOT NULL,
    nik          TEXT NOT NULL,
    service      TEXT NOT NULL,
    PRIMARY KEY (booking_code, idx)
);

CREATE TABLE check_ins (
    booking_code TEXT PRIMARY KEY REFERENCES bookings(code),
    office_date  TEXT NOT NULL,
    at           TEXT NOT NULL,
    flags        TEXT NOT NULL,
    actor        TEXT NOT NULL
);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor      TEXT NOT NULL,
    device     TEXT,
    action     TEXT NOT NULL,
    target     TEXT,
    detail     TEXT NOT NULL DEFAULT '{}'
);

-- What the sync engine uploads: one row per state change, written in the same transaction.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    occurred_at TEXT NOT NULL
);
