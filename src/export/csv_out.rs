//! CSV of the key columns, every cell guarded against spreadsheet formula injection.
use std::io::Write;

use super::KEY_COLUMNS;
use crate::model::store::EventStore;
use crate::model::time::format_ms;
use crate::text::csv_cell;

pub fn write_csv<W: Write>(out: W, store: &EventStore, rows: &[u32]) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let cols: Vec<_> = KEY_COLUMNS.iter().map(|(c, _)| store.str_col(c)).collect();
    let mut header = vec!["time"];
    header.extend(KEY_COLUMNS.iter().map(|(c, _)| *c));
    w.write_record(&header)?;
    for &r in rows {
        let r = r as usize;
        let mut rec = vec![store.time_at(r).map(format_ms).unwrap_or_default()];
        for c in &cols {
            let v = c.as_ref().and_then(|c| c.get(r)).unwrap_or("");
            rec.push(csv_cell(v).into_owned());
        }
        w.write_record(&rec)?;
    }
    w.flush()?;
    Ok(())
}
