//! CSV of chosen columns. Columns are query field names (`user`, `ip`, `ua`, `akid`, …, see
//! `model::query`), plus `risk` and `rules` from an analysis. Every cell is sanitised (no raw
//! control byte reaches a spreadsheet or terminal) and guarded against formula injection.
use std::io::Write;

use crate::analysis::Analysis;
use crate::error::{Error, Result};
use crate::model::query::field_column;
use crate::model::schema;
use crate::model::store::EventStore;
use crate::model::time::format_ms;
use crate::text::{csv_cell, sanitize};

/// Columns written when none are asked for.
pub const DEFAULT_COLUMNS: [&str; 13] = [
    "time",
    "principal",
    "identity_type",
    "event_source",
    "event_name",
    "aws_region",
    "source_ip",
    "user_agent",
    "access_key_id",
    "error_code",
    "bucket",
    "object_key",
    "event_id",
];

/// One output column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Time,
    /// A store column (string, integer or boolean).
    Field(&'static str),
    /// The event's risk level from the analysis (`none` when nothing flagged it).
    Risk,
    /// Ids of the rules whose findings include the event, `;`-separated.
    Rules,
}

impl Column {
    pub fn needs_analysis(self) -> bool {
        matches!(self, Column::Risk | Column::Rules)
    }
}

/// Parses `--columns` (comma separated); unknown names are an error listing the known ones.
pub fn parse_columns(spec: &str) -> Result<Vec<(String, Column)>> {
    let mut out = Vec::new();
    for name in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let col = match name.to_ascii_lowercase().as_str() {
            "time" | "event_time" | "eventtime" => Column::Time,
            "risk" => Column::Risk,
            "rules" | "rule" => Column::Rules,
            other => match field_column(other) {
                Some(c) => Column::Field(c),
                None => {
                    return Err(Error::Invalid(format!(
                        "unknown column '{name}' (known: time risk rules {})",
                        crate::model::query::FIELD_HELP
                    )));
                }
            },
        };
        out.push((name.to_owned(), col));
    }
    if out.is_empty() {
        return Err(Error::Invalid("--columns names no column".to_owned()));
    }
    Ok(out)
}

pub fn default_columns() -> Vec<(String, Column)> {
    DEFAULT_COLUMNS
        .iter()
        .map(|&c| {
            let col = if c == "time" {
                Column::Time
            } else {
                Column::Field(c)
            };
            (c.to_owned(), col)
        })
        .collect()
}

/// Rule ids per row, from the findings.
pub fn rules_per_row(analysis: &Analysis) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = vec![Vec::new(); analysis.events];
    for f in &analysis.findings {
        for &r in &f.rows {
            if let Some(v) = out.get_mut(r as usize)
                && !v.contains(&f.rule_id.as_str())
            {
                v.push(&f.rule_id);
            }
        }
    }
    out
}

fn csv_err(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io("stdout", io),
        other => Error::Invalid(format!("csv: {other:?}")),
    }
}

/// Writes the rows with the given columns; `analysis` is needed for `risk` and `rules`.
pub fn write_csv<W: Write>(
    out: W,
    store: &EventStore,
    rows: &[u32],
    columns: &[(String, Column)],
    analysis: Option<&Analysis>,
) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(
        columns
            .iter()
            .map(|(h, _)| csv_cell(&sanitize(h)).into_owned()),
    )
    .map_err(csv_err)?;
    let df = store.df();
    let rules = analysis.map(rules_per_row);
    let mut rec: Vec<String> = Vec::with_capacity(columns.len());
    for &r in rows {
        let r = r as usize;
        rec.clear();
        for (_, c) in columns {
            let v = match *c {
                Column::Time => store.time_at(r).map(format_ms).unwrap_or_default(),
                // Every analysed row says its risk: `none` when nothing flagged it, so a
                // spreadsheet filter on the column never mistakes "not flagged" for "missing".
                Column::Risk => match analysis {
                    Some(a) => a
                        .event_risk
                        .get(r)
                        .copied()
                        .flatten()
                        .map_or_else(|| "none".to_owned(), |l| l.to_string()),
                    None => String::new(),
                },
                Column::Rules => rules
                    .as_ref()
                    .and_then(|v| v.get(r))
                    .map(|v| v.join(";"))
                    .unwrap_or_default(),
                Column::Field(name) if name == schema::EVENT_TIME => {
                    store.time_at(r).map(format_ms).unwrap_or_default()
                }
                Column::Field(name) => match df.column(name).ok().map(|c| c.get(r)) {
                    Some(Ok(v)) => any_text(&v),
                    _ => String::new(),
                },
            };
            rec.push(csv_cell(&sanitize(&v)).into_owned());
        }
        w.write_record(&rec).map_err(csv_err)?;
    }
    w.flush().map_err(|e| Error::io("stdout", e))?;
    Ok(())
}

/// A cell's text: strings as they are, numbers and booleans written out, null empty.
fn any_text(v: &polars::prelude::AnyValue<'_>) -> String {
    use polars::prelude::AnyValue;
    match v {
        AnyValue::Null => String::new(),
        AnyValue::String(s) => (*s).to_owned(),
        AnyValue::StringOwned(s) => s.to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_take_query_field_names() {
        let cols = parse_columns("time, user,ip,ua,akid,risk,rules,bytes").expect("parses");
        let kinds: Vec<Column> = cols.iter().map(|(_, c)| *c).collect();
        assert_eq!(
            kinds,
            [
                Column::Time,
                Column::Field("principal"),
                Column::Field("source_ip"),
                Column::Field("user_agent"),
                Column::Field("access_key_id"),
                Column::Risk,
                Column::Rules,
                Column::Field(schema::BYTES_OUT),
            ]
        );
        assert_eq!(cols[1].0, "user");
        let e = parse_columns("time,nope").expect_err("unknown").to_string();
        assert!(e.contains("'nope'") && e.contains("akid"), "{e}");
        assert!(parse_columns(" , ").is_err());
    }
}
