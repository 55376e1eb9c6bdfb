//! Rebuilds the crate's tests when the hub's migrations change: `tests/hub_schema.rs`
//! embeds them with `sqlx::migrate!` at compile time, and cargo does not otherwise know to
//! look there.
fn main() {
    println!("cargo:rerun-if-changed=../../core/hub/migrations");
}
