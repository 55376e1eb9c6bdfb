//! Benchmark: our WSQ encode and decode time against NBIS's (printed, not asserted).
fn main() {}
