//! loket-camera: placeholder until its issue lands.
