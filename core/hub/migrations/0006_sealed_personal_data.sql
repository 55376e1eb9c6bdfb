-- Personal data of BAPs and pickups sealed at rest (issue 9, UU PDP; core/hub/src/personal.rs).
--
-- From this migration on:
-- * `baps.content` holds a sealed blob (XChaCha20-Poly1305, core/hub/src/seal.rs) of the
--   version's JSON instead of the JSON text (SQLite keeps a BLOB in the TEXT column as is).
-- * `pickups.applicant` holds the sealed `{"nik","name"}`; `applicant_nik` and
--   `applicant_name` are kept empty (''); `nik_index` is the NIK's blind index (keyed
--   BLAKE2b, `Sealer::blind_index`) by which a pickup is found by NIK.
-- * `pickups.handover` holds the sealed register entry; `signatures.png` the sealed PNG.
-- * A `bap_signed` outbox payload holds the signed BAP under `sealed` (base64 of a sealed
--   blob); the sync upload opens it.
--
-- SQL cannot seal: rows written in clear before this migration are sealed by the hub the
-- next time it starts (`personal::seal_plaintext_rows`, idempotent, one transaction), which
-- then checkpoints the WAL. `secure_delete` is on for every hub connection, so the clear
-- text is overwritten in the pages it leaves.

ALTER TABLE pickups ADD COLUMN applicant BLOB;
ALTER TABLE pickups ADD COLUMN nik_index TEXT;
-- The index on the clear NIK goes (its pages held every NIK).
DROP INDEX pickups_nik;
CREATE INDEX pickups_nik_index ON pickups (nik_index);
