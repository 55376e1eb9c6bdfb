//! loket-central: placeholder until its issue lands.
