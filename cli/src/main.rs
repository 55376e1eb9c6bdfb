//! `loket`: the one command-line binary of the office. Thin glue over the library crates.

fn main() -> anyhow::Result<()> {
    Ok(())
}
