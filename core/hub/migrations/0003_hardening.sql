-- Hardening (issue 9): the audit log becomes a hash chain.
--
-- Every audit row carries the hash of the row before it (`prev_hash`; 64 zeros for the
-- first row) and its own hash (`hash`): SHA-256 over a canonical encoding of the row's
-- columns and `prev_hash` (core/hub/src/audit_chain.rs). The chain head, `<id>:<hash>` of
-- the last row, is kept in office_settings under `audit_chain_head` and written in the
-- same transaction as the row, so deleting the last row is found too.
--
-- Rows written before this migration have no hashes yet: the hub seals them, in id order,
-- the first time it opens the database after this migration (SQLite has no SHA-256 in
-- SQL), and only while no row is sealed and no head exists.

ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
