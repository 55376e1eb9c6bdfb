//! loket-documents: placeholder until its issue lands.
