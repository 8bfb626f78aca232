//! The demo data generator (being written).
use std::path::Path;

pub const DEFAULT_EVENTS: usize = 20_000;
pub const DEFAULT_SEED: u64 = 7;

pub fn write_demo(_out: &Path, _events: usize, _seed: u64) -> crate::Result<()> {
    Err(crate::Error::Invalid("demo generator not built yet".to_owned()))
}
