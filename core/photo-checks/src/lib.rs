//! loket-photo-checks: placeholder until its issue lands.
