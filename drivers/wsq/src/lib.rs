//! loket-wsq: placeholder until its issue lands.
