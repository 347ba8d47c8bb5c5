//! Criterion benchmarks of the duplicate engine (filled in below).
fn main() {}
