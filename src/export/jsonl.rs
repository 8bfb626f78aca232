//! JSON Lines: the original records, one per line, so the output loads back into cttui unchanged.
use std::io::{self, Write};

use crate::model::store::EventStore;

pub fn write_jsonl<W: Write>(out: &mut W, store: &EventStore, rows: &[u32]) -> io::Result<()> {
    for &r in rows {
        if let Some(line) = store.raw_compact(r as usize) {
            out.write_all(line.as_bytes())?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}
