//! loket-sync-protocol: placeholder until its issue lands.
