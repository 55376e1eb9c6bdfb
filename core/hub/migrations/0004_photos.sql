-- Passport photos taken at the counter (issue 5). The JPEG is never stored in clear: it is
-- sealed (seal.rs, context `photos:<id>`) into the file `<data>/photos/<file>`; the frame's
-- check report is sealed in `report` (context `photos:<id>:report`). A retake adds a row;
-- the newest row of a visit is its photo.
CREATE TABLE photos (
    id           INTEGER PRIMARY KEY,
    visit_id     INTEGER NOT NULL REFERENCES visits(id),
    file         TEXT NOT NULL,
    sha256       TEXT NOT NULL,           -- of the sealed file: the sync blob's name
    sealed_bytes INTEGER NOT NULL,
    jpeg_bytes   INTEGER NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    passed       INTEGER NOT NULL,
    failed       TEXT NOT NULL DEFAULT '[]', -- JSON array of failing check names
    report       BLOB NOT NULL,
    taken_by     TEXT NOT NULL,
    taken_at     TEXT NOT NULL
);
CREATE INDEX photos_visit ON photos (visit_id, id);

-- The files waiting to go to central. The sync engine (loket-sync, SqliteLedger) owns this
-- table and creates it the same way; the hub registers a photo's sealed file in the photo's
-- own transaction, so a stored photo is never left out of the upload.
CREATE TABLE IF NOT EXISTS sync_blobs (sha256 TEXT PRIMARY KEY, path TEXT NOT NULL, size INTEGER NOT NULL, registered_at TEXT NOT NULL, uploaded_at TEXT);
CREATE INDEX IF NOT EXISTS sync_blobs_pending ON sync_blobs (uploaded_at, registered_at);
