//! loket-fingerprint: placeholder until its issue lands.
