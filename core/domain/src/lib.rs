//! loket-domain: placeholder until its issue lands.
