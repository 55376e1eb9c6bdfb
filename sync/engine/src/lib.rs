//! loket-sync: placeholder until its issue lands.
