//! loket-fingerprint-formats: placeholder until its issue lands.
