-- Fingerprint sessions stored with the visit (issue 4).
--
-- A counter saves a whole session at once (PUT /api/v1/visits/{id}/fingerprints); saving
-- again adds a new session row, the latest per visit is the one in force. `content` is the
-- session (finger plan, status, score, exceptions with reasons, supervisors) as JSON,
-- SEALED (`seal::Sealer`, context `fingerprint_sessions:<id>`): reasons are health data.
-- The other columns carry no personal data.
CREATE TABLE fingerprint_sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    visit_id    INTEGER NOT NULL REFERENCES visits(id),
    saved_by    TEXT NOT NULL,
    saved_at    TEXT NOT NULL,
    complete    INTEGER NOT NULL CHECK (complete IN (0, 1)),
    captured    INTEGER NOT NULL,
    exceptions  INTEGER NOT NULL,
    content     BLOB NOT NULL
);
CREATE INDEX fingerprint_sessions_visit ON fingerprint_sessions (visit_id, id);

-- One row per captured finger image. The WSQ file is stored SEALED (context
-- `fingerprint_images:<id>`) in the data folder at `path` (relative to the data folder);
-- `sha256` is the SHA-256 of that sealed file, the blob id under which it syncs.
CREATE TABLE fingerprint_images (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id  INTEGER NOT NULL REFERENCES fingerprint_sessions(id),
    finger      TEXT NOT NULL,
    position    INTEGER NOT NULL CHECK (position BETWEEN 1 AND 10),
    score       INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    width       INTEGER NOT NULL,
    height      INTEGER NOT NULL,
    ppi         INTEGER NOT NULL,
    path        TEXT NOT NULL DEFAULT '',
    sha256      TEXT NOT NULL DEFAULT '',
    size        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX fingerprint_images_session ON fingerprint_images (session_id);

-- The sync engine's blob list (`loket-sync`'s `sync_blobs`, the same DDL as its SYNC_DDL):
-- the hub registers the sealed files here in the transaction that stores them, so they go
-- up with the next sync round whether or not the engine has run on this folder before.
CREATE TABLE IF NOT EXISTS sync_blobs (sha256 TEXT PRIMARY KEY, path TEXT NOT NULL, size INTEGER NOT NULL, registered_at TEXT NOT NULL, uploaded_at TEXT);
CREATE INDEX IF NOT EXISTS sync_blobs_pending ON sync_blobs (uploaded_at, registered_at);
