//! Parquet input: cttui's own conversions (`cttui convert`), Spark/Glue conversions of raw CloudTrail
//! (nested `userIdentity`, `requestParameters` structs, `awsRegion=…/eventSource=…` folders) and
//! Athena CTAS tables (lower-case names, JSON text in `requestparameters`).
//!
//! Every file becomes CloudTrail records as JSON Lines, parsed by the one record parser, so a
//! Parquet dataset gives the same event table as the JSON it came from. A [`Slice`] (time window,
//! region and event-source patterns) is applied before reading: hive folders outside it are not
//! opened and row groups whose time statistics fall outside it are not decoded.
use std::fs::File;
use std::io::Read;
use std::path::Path;

use polars::prelude::*;
use polars_io::SerReader;
use polars_io::parquet::metadata::FileMetadata;
use polars_io::parquet::read::ParquetReader;
use polars_parquet::parquet::statistics::Statistics;
use serde_json::{Map, Value};

use super::source::ReadInput;
use super::time::{format_ms, parse_time_ms};
use crate::model::load::Shape;
use crate::model::query::{Field as QueryField, Filter, Op, Value as QueryValue};
use crate::model::schema;
use crate::model::time::parse_literal;

/// The first (and last) four bytes of every Parquet file.
pub const MAGIC: &[u8; 4] = b"PAR1";
/// cttui's column holding each record's original JSON text (compact).
pub const RAW_COLUMN: &str = "raw_json";

const DAY_MS: i64 = 86_400_000;

/// The part of a dataset a load needs: a time window (epoch ms, inclusive) and, from the filter,
/// case-insensitive `*`/`?` patterns the region and event source must match one of.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Slice {
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub regions: Option<Vec<String>>,
    pub sources: Option<Vec<String>>,
}

impl Slice {
    pub fn has_window(&self) -> bool {
        self.since.is_some() || self.until.is_some()
    }

    /// Whether `[lo, hi]` can hold an event of the window.
    pub fn overlaps(&self, lo: i64, hi: i64) -> bool {
        self.since.is_none_or(|s| hi >= s) && self.until.is_none_or(|u| lo <= u)
    }

    /// Whether an event time is inside the window (a missing time is not, when there is one).
    pub fn keeps_time(&self, t: Option<i64>) -> bool {
        match t {
            Some(t) => self.overlaps(t, t),
            None => !self.has_window(),
        }
    }

    fn keeps_value(patterns: Option<&Vec<String>>, value: &str) -> bool {
        patterns.is_none_or(|ps| ps.iter().any(|p| crate::model::query::glob_match(p, value)))
    }

    /// Keeps the rows of an event-table frame inside the window.
    pub fn filter_frame(&self, df: DataFrame) -> PolarsResult<DataFrame> {
        if !self.has_window() {
            return Ok(df);
        }
        let times = df
            .column(schema::EVENT_TIME)?
            .as_materialized_series()
            .to_physical_repr();
        let mask: BooleanChunked = times
            .i64()?
            .iter()
            .map(|t| Some(self.keeps_time(t)))
            .collect();
        df.filter(&mask)
    }
}

impl Slice {
    /// What a filter says about the slice: regions, event sources and a time window every
    /// matching event lies in. Only top-level AND terms (and ORs of one field) narrow; anything
    /// else keeps everything, so the slice never drops a matching event.
    pub fn from_filter(filter: &Filter) -> Slice {
        let mut slice = Slice::default();
        let parts = match filter {
            Filter::And(parts) => parts.as_slice(),
            other => std::slice::from_ref(other),
        };
        for part in parts {
            if let Some(values) = equal_values(part, QueryField::Region) {
                slice.regions = Some(values);
            } else if let Some(values) = equal_values(part, QueryField::Source) {
                slice.sources = Some(values);
            } else if let Filter::Term {
                field: QueryField::Time,
                op,
                value,
            } = part
                && let Some((t, len)) = parse_literal(value.text())
            {
                // As the query language reads them: `time:D` is all of D, `time>D` after it.
                let (since, until) = match op {
                    Op::Eq => (Some(t), Some(t + len - 1)),
                    Op::Ge => (Some(t), None),
                    Op::Gt => (Some(t + len), None),
                    Op::Le => (None, Some(t + len - 1)),
                    Op::Lt => (None, Some(t - 1)),
                    Op::Ne => (None, None),
                };
                if let Some(s) = since {
                    slice.since = Some(slice.since.map_or(s, |x| x.max(s)));
                }
                if let Some(u) = until {
                    slice.until = Some(slice.until.map_or(u, |x| x.min(u)));
                }
            }
        }
        slice
    }
}

/// The values (as case-insensitive globs) of `field:value`, or of an OR of such terms.
fn equal_values(f: &Filter, field: QueryField) -> Option<Vec<String>> {
    match f {
        Filter::Term {
            field: fd,
            op: Op::Eq,
            value,
        } if *fd == field && !value.text().is_empty() => Some(vec![match value {
            QueryValue::Glob(g) => g.clone(),
            // An exact value's `*`/`?` stand for themselves; as a glob they match a superset.
            QueryValue::Exact(s) => s.clone(),
        }]),
        Filter::Or(parts) => parts
            .iter()
            .map(|p| equal_values(p, field))
            .collect::<Option<Vec<Vec<String>>>>()
            .map(|v| v.concat()),
        _ => None,
    }
}

/// `--since`: a time, or a date meaning its start (UTC).
pub fn parse_since(s: &str) -> Result<i64, String> {
    parse_bound(s, false)
}

/// `--until`: a time, or a date meaning its end (UTC), inclusive.
pub fn parse_until(s: &str) -> Result<i64, String> {
    parse_bound(s, true)
}

fn parse_bound(s: &str, end: bool) -> Result<i64, String> {
    let s = s.trim();
    if let Some((start, stop)) = date_range(s).filter(|_| s.len() == 10) {
        return Ok(if end { stop } else { start });
    }
    parse_time_ms(s).ok_or_else(|| {
        format!("expected a UTC time like 2020-09-14 or 2020-09-14T00:40:00Z, got '{s}'")
    })
}

/// Whether the file starts with the Parquet magic bytes (whatever its name).
pub fn is_parquet_file(path: &Path) -> bool {
    let mut head = [0u8; 4];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == MAGIC)
}

/// Hive partition values in a path (`key=value` folder names, percent-decoded), outermost first.
pub fn partitions(path: &Path) -> Vec<(String, String)> {
    let Some(dir) = path.parent() else {
        return Vec::new();
    };
    dir.components()
        .filter_map(|c| {
            let s = c.as_os_str().to_str()?;
            let (k, v) = s.split_once('=')?;
            (!k.is_empty()).then(|| (k.to_owned(), percent_decode(v)))
        })
        .collect()
}

/// Hive escapes `/`, `=`, `%`, `:` and controls in partition values as `%XX`.
pub fn percent_decode(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(hex) = b.get(i + 1..i + 3)
            && let Ok(hex) = std::str::from_utf8(hex)
            && let Ok(x) = u8::from_str_radix(hex, 16)
        {
            out.push(x);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Which canonical dimension a partition key names, if any.
enum PartKey {
    Region,
    Source,
    Date,
    Year,
    Month,
    Day,
}

fn part_key(k: &str) -> Option<PartKey> {
    Some(match k.to_ascii_lowercase().as_str() {
        "region" | "awsregion" | "aws_region" => PartKey::Region,
        "source" | "eventsource" | "event_source" => PartKey::Source,
        "date" | "dt" | "event_date" | "eventdate" | "timestamp" => PartKey::Date,
        "year" => PartKey::Year,
        "month" => PartKey::Month,
        "day" => PartKey::Day,
        _ => return None,
    })
}

/// The time range (epoch ms, inclusive) a date partition value covers: `2020-09-14`, `2020/09/14`.
fn date_range(v: &str) -> Option<(i64, i64)> {
    let v = v.trim().replace('/', "-");
    let d = chrono::NaiveDate::parse_from_str(v.get(..10)?, "%Y-%m-%d").ok()?;
    let start = d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis();
    Some((start, start + DAY_MS - 1))
}

/// Range of `year=`, `year=/month=`, `year=/month=/day=` folders.
fn ymd_range(y: Option<i32>, m: Option<u32>, d: Option<u32>) -> Option<(i64, i64)> {
    let y = y?;
    let ms = |y: i32, m: u32, d: u32| {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp_millis())
    };
    Some(match (m, d) {
        (Some(m), Some(d)) => {
            let s = ms(y, m, d)?;
            (s, s + DAY_MS - 1)
        }
        (Some(m), None) => {
            let next = if m == 12 {
                ms(y + 1, 1, 1)?
            } else {
                ms(y, m + 1, 1)?
            };
            (ms(y, m, 1)?, next - 1)
        }
        _ => (ms(y, 1, 1)?, ms(y + 1, 1, 1)? - 1),
    })
}

/// Whether the file's partition folders put it outside the slice (so it is not opened).
pub fn pruned_by_path(path: &Path, slice: &Slice) -> bool {
    if slice == &Slice::default() {
        return false;
    }
    let (mut y, mut m, mut d) = (None, None, None);
    for (k, v) in partitions(path) {
        let out = match part_key(&k) {
            Some(PartKey::Region) => !Slice::keeps_value(slice.regions.as_ref(), &v),
            Some(PartKey::Source) => !Slice::keeps_value(slice.sources.as_ref(), &v),
            Some(PartKey::Date) => date_range(&v).is_some_and(|(a, b)| !slice.overlaps(a, b)),
            Some(PartKey::Year) => {
                y = v.trim().parse().ok();
                false
            }
            Some(PartKey::Month) => {
                m = v.trim().parse().ok();
                false
            }
            Some(PartKey::Day) => {
                d = v.trim().parse().ok();
                false
            }
            None => false,
        };
        if out {
            return true;
        }
    }
    ymd_range(y, m, d).is_some_and(|(a, b)| !slice.overlaps(a, b))
}

/// What reading one Parquet file gave.
pub struct ParquetRead {
    /// The selected rows as CloudTrail records, one JSON object per line.
    pub input: ReadInput,
    /// Whose layout the file has.
    pub shape: Shape,
    pub row_groups_read: usize,
    pub row_groups: usize,
}

/// Reads the rows of a Parquet file the slice needs, as CloudTrail records in JSON Lines.
pub fn read_input(path: &Path, slice: &Slice) -> Result<ParquetRead, String> {
    let err = |e: PolarsError| format!("cannot read Parquet: {e}");
    let stored = std::fs::metadata(path).map_or(0, |m| m.len());
    let file = File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let mut reader = ParquetReader::new(file);
    let metadata = reader.get_metadata().map_err(err)?.clone();
    let schema = reader.schema().map_err(err)?;
    let own = schema.get(RAW_COLUMN).is_some();
    let shape = layout(own, schema.iter_names().map(|n| n.as_str()));
    let time_col = [schema::EVENT_TIME, "eventTime", "eventtime"]
        .into_iter()
        .find(|c| schema.get(c).is_some());
    let unit = time_col
        .and_then(|c| schema.get(c))
        .and_then(|f| match f.dtype() {
            ArrowDataType::Timestamp(u, _) => Some(*u),
            _ => None,
        });
    let ranges = selected_ranges(&metadata, time_col, unit, slice);
    let row_groups = metadata.row_groups.len();
    let row_groups_read = ranges.iter().map(|r| r.2).sum();
    let folders = partitions(path);
    let mut out = Vec::new();
    for (offset, len, _) in ranges {
        let file = File::open(path).map_err(|e| format!("cannot read: {e}"))?;
        let mut reader = ParquetReader::new(file).with_slice(Some((offset, len)));
        reader.set_metadata(metadata.clone());
        if own {
            reader = reader.with_columns(Some(vec![RAW_COLUMN.to_owned()]));
        }
        let df = reader.finish().map_err(err)?;
        if own {
            own_lines(&df, &mut out).map_err(err)?;
        } else {
            foreign_lines(&df, &folders, &mut out).map_err(err)?;
        }
    }
    Ok(ParquetRead {
        input: ReadInput {
            bytes: out,
            stored,
            gzip: false,
            warning: None,
        },
        shape,
        row_groups_read,
        row_groups,
    })
}

/// Whose layout a file has, from its top-level column names: cttui's has the record text,
/// Athena's CloudTrail table lower-cases CloudTrail's names (`eventtime`, `useridentity`), a
/// Spark/Glue flattening of the raw records keeps them (`eventTime`, `userIdentity`).
pub fn layout<'a>(own: bool, names: impl Iterator<Item = &'a str>) -> Shape {
    if own {
        return Shape::ParquetCttui;
    }
    let mut shape = Shape::Parquet;
    for n in names {
        match n {
            "eventTime" | "eventName" | "userIdentity" | "eventSource" => {
                return Shape::ParquetSpark;
            }
            "eventtime" | "eventname" | "useridentity" | "eventsource" => {
                shape = Shape::ParquetAthena;
            }
            _ => {}
        }
    }
    shape
}

/// Contiguous runs of row groups to read: `(first row, rows, row groups)`. A row group is skipped
/// when its time statistics fall outside the window.
fn selected_ranges(
    md: &FileMetadata,
    time_col: Option<&str>,
    unit: Option<polars::prelude::ArrowTimeUnit>,
    slice: &Slice,
) -> Vec<(usize, usize, usize)> {
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    let mut row = 0;
    for rg in &md.row_groups {
        let n = rg.num_rows();
        let keep = !slice.has_window()
            || time_col
                .and_then(|c| rg.columns_under_root_iter(c)?.next())
                .and_then(|col| col.statistics(&md.footer_buf)?.ok())
                .and_then(|st| stats_time_range(&st, unit))
                .is_none_or(|(lo, hi)| slice.overlaps(lo, hi));
        if keep && n > 0 {
            match out.last_mut() {
                Some(last) if last.0 + last.1 == row => {
                    last.1 += n;
                    last.2 += 1;
                }
                _ => out.push((row, n, 1)),
            }
        }
        row += n;
    }
    out
}

/// Min and max time (epoch ms) from a row group's statistics: Int64 timestamps in their unit, or
/// ISO-8601 text (which sorts as time). `None` when unknown (no statistics, Int96, other text).
fn stats_time_range(
    st: &Statistics,
    unit: Option<polars::prelude::ArrowTimeUnit>,
) -> Option<(i64, i64)> {
    use polars::prelude::ArrowTimeUnit as U;
    match st {
        Statistics::Int64(s) => {
            let to_ms = |v: i64| match unit? {
                U::Second => Some(v.saturating_mul(1000)),
                U::Millisecond => Some(v),
                U::Microsecond => Some(v.div_euclid(1000)),
                U::Nanosecond => Some(v.div_euclid(1_000_000)),
            };
            // The max rounds up so a sub-millisecond tail is not cut off.
            Some((to_ms(s.min_value?)?, to_ms(s.max_value?)?.saturating_add(1)))
        }
        Statistics::Binary(s) => {
            let lo = parse_time_ms(std::str::from_utf8(s.min_value.as_deref()?).ok()?)?;
            let hi = parse_time_ms(std::str::from_utf8(s.max_value.as_deref()?).ok()?)?;
            Some((lo, hi))
        }
        _ => None,
    }
}

/// cttui's own files: the original record text, one per line.
fn own_lines(df: &DataFrame, out: &mut Vec<u8>) -> PolarsResult<()> {
    let col = df.column(RAW_COLUMN)?;
    for v in col.str()?.iter().flatten() {
        // The column holds compact JSON; a stray line break would split a record.
        if v.contains('\n') {
            out.extend(v.replace(['\n', '\r'], " ").as_bytes());
        } else {
            out.extend(v.as_bytes());
        }
        out.push(b'\n');
    }
    Ok(())
}

/// Other writers' files: each row rebuilt as a CloudTrail record, names restored to CloudTrail's
/// camelCase, JSON text columns parsed, partition folders filled in where the row lacks them.
fn foreign_lines(
    df: &DataFrame,
    folders: &[(String, String)],
    out: &mut Vec<u8>,
) -> PolarsResult<()> {
    let columns = df.columns();
    for i in 0..df.height() {
        let mut rec = Map::new();
        for c in columns {
            let name = record_key(c.name().as_str(), false);
            let v = to_json(c.get(i)?, false);
            if v.is_null() {
                continue;
            }
            let v = parse_embedded(&name, v);
            rec.insert(name, v);
        }
        for (k, v) in folders {
            let key = match part_key(k) {
                Some(PartKey::Region) => "awsRegion",
                Some(PartKey::Source) => "eventSource",
                _ => continue,
            };
            if !rec.contains_key(key) {
                rec.insert(key.to_owned(), Value::String(v.clone()));
            }
        }
        serde_json::to_writer(&mut *out, &Value::Object(rec))
            .map_err(|e| PolarsError::ComputeError(e.to_string().into()))?;
        out.push(b'\n');
    }
    Ok(())
}

/// CloudTrail's keys, for restoring names an engine lower-cased (Athena, Hive, Glue).
const RECORD_KEYS: &[&str] = &[
    "eventVersion",
    "userIdentity",
    "type",
    "principalId",
    "arn",
    "accountId",
    "invokedBy",
    "accessKeyId",
    "userName",
    "sessionContext",
    "attributes",
    "mfaAuthenticated",
    "creationDate",
    "sessionIssuer",
    "webIdFederationData",
    "federatedProvider",
    "sourceIdentity",
    "ec2RoleDelegation",
    "onBehalfOf",
    "userId",
    "identityStoreArn",
    "credentialId",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "requestID",
    "eventID",
    "resources",
    "eventType",
    "apiVersion",
    "readOnly",
    "recipientAccountId",
    "serviceEventDetails",
    "sharedEventID",
    "vpcEndpointId",
    "vpcEndpointAccountId",
    "eventCategory",
    "managementEvent",
    "tlsDetails",
    "tlsVersion",
    "cipherSuite",
    "clientProvidedHostHeader",
    "sessionCredentialFromConsole",
    "edgeDeviceDetails",
    "insightDetails",
    "addendum",
    "bucketName",
    "key",
    "bytesTransferredIn",
    "bytesTransferredOut",
    "MFAUsed",
];

/// Keys that hold JSON objects which Athena's CloudTrail table stores as JSON text.
const EMBEDDED_JSON: &[&str] = &[
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "serviceEventDetails",
    "addendum",
    "edgeDeviceDetails",
    "insightDetails",
];

/// The CloudTrail spelling of a column or struct field name: unchanged unless an engine
/// lower-cased it. Inside `resources`, `arn` is `ARN`.
fn record_key(name: &str, in_resources: bool) -> String {
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        return name.to_owned();
    }
    if in_resources && name == "arn" {
        return "ARN".to_owned();
    }
    RECORD_KEYS
        .iter()
        .find(|k| k.eq_ignore_ascii_case(name))
        .map_or_else(|| name.to_owned(), |k| (*k).to_owned())
}

fn parse_embedded(key: &str, v: Value) -> Value {
    match v {
        Value::String(s)
            if EMBEDDED_JSON.contains(&key) && s.trim_start().starts_with(['{', '[']) =>
        {
            serde_json::from_str(&s).unwrap_or(Value::String(s))
        }
        v => v,
    }
}

/// A Parquet cell as JSON: structs as objects (nulls left out), lists as arrays, maps
/// (`list<struct<key, value>>`) as objects, timestamps as CloudTrail's ISO text.
fn to_json(av: AnyValue<'_>, in_resources: bool) -> Value {
    match av {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => Value::Bool(b),
        AnyValue::String(s) => Value::String(s.to_owned()),
        AnyValue::StringOwned(s) => Value::String(s.to_string()),
        AnyValue::Binary(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
        AnyValue::BinaryOwned(b) => Value::String(String::from_utf8_lossy(&b).into_owned()),
        AnyValue::UInt8(v) => v.into(),
        AnyValue::UInt16(v) => v.into(),
        AnyValue::UInt32(v) => v.into(),
        AnyValue::UInt64(v) => v.into(),
        AnyValue::Int8(v) => v.into(),
        AnyValue::Int16(v) => v.into(),
        AnyValue::Int32(v) => v.into(),
        AnyValue::Int64(v) => v.into(),
        AnyValue::Float32(v) => {
            serde_json::Number::from_f64(f64::from(v)).map_or(Value::Null, Value::Number)
        }
        AnyValue::Float64(v) => serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
        AnyValue::Datetime(v, unit, _) | AnyValue::DatetimeOwned(v, unit, _) => {
            let ms = match unit {
                TimeUnit::Milliseconds => v,
                TimeUnit::Microseconds => v.div_euclid(1000),
                TimeUnit::Nanoseconds => v.div_euclid(1_000_000),
            };
            Value::String(format_ms(ms))
        }
        AnyValue::Date(days) => Value::String(format_ms(i64::from(days) * DAY_MS)),
        AnyValue::List(s) => list_json(&s, in_resources),
        av @ AnyValue::Struct(..) => {
            let AnyValue::Struct(_, _, fields) = &av else {
                return Value::Null;
            };
            let fields: Vec<Field> = fields.to_vec();
            struct_json(
                av._iter_struct_av()
                    .zip(fields.iter())
                    .map(|(v, f)| (f.name().as_str().to_owned(), v)),
                in_resources,
            )
        }
        AnyValue::StructOwned(payload) => {
            let (values, fields) = *payload;
            struct_json(
                values
                    .into_iter()
                    .zip(fields.iter())
                    .map(|(v, f)| (f.name().as_str().to_owned(), v)),
                in_resources,
            )
        }
        other => Value::String(other.to_string()),
    }
}

fn struct_json<'a>(
    fields: impl Iterator<Item = (String, AnyValue<'a>)>,
    in_resources: bool,
) -> Value {
    let mut m = Map::new();
    for (name, v) in fields {
        let v = to_json(v, in_resources);
        if !v.is_null() {
            m.insert(record_key(&name, in_resources), v);
        }
    }
    Value::Object(m)
}

fn list_json(s: &Series, in_resources: bool) -> Value {
    // A Parquet map arrives as a list of {key, value} structs.
    if let DataType::Struct(fields) = s.dtype()
        && fields.len() == 2
        && fields[0].name().as_str() == "key"
        && fields[1].name().as_str() == "value"
    {
        let mut m = Map::new();
        for av in s.iter() {
            if let Value::Object(kv) = to_json(av, false)
                && let Some(Value::String(k)) = kv.get("key")
            {
                m.insert(k.clone(), kv.get("value").cloned().unwrap_or(Value::Null));
            }
        }
        return Value::Object(m);
    }
    let in_res = in_resources || s.name().as_str().eq_ignore_ascii_case("resources");
    Value::Array(s.iter().map(|av| to_json(av, in_res)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_the_query_language() {
        use crate::model::query::glob_match;
        for (p, t, want) in [
            ("us-east-1", "US-EAST-1", true),
            ("us-*", "us-west-2", true),
            ("*.amazonaws.com", "s3.amazonaws.com", true),
            ("s3.amazonaws.com", "sts.amazonaws.com", false),
            ("eu-?est-1", "eu-west-1", true),
            ("", "x", false),
            ("*", "", true),
        ] {
            assert_eq!(glob_match(p, t), want, "{p} vs {t}");
        }
    }

    #[test]
    fn hive_folders_prune_by_date_region_and_source() {
        let day = |s: &str| parse_time_ms(s).expect("time");
        let slice = Slice {
            since: Some(day("2020-09-14T00:00:00Z")),
            until: Some(day("2020-09-14T23:59:59Z")),
            regions: Some(vec!["us-east-1".into()]),
            sources: None,
        };
        for (path, pruned) in [
            (
                "d/region=us-east-1/source=s3.amazonaws.com/date=2020-09-14/p.parquet",
                false,
            ),
            (
                "d/region=us-east-1/source=s3.amazonaws.com/date=2020-09-15/p.parquet",
                true,
            ),
            (
                "d/region=eu-west-1/source=s3.amazonaws.com/date=2020-09-14/p.parquet",
                true,
            ),
            (
                "d/awsRegion=us-east-1/eventSource=s3.amazonaws.com/p.parquet",
                false,
            ),
            ("d/awsRegion=us-west-2/p.parquet", true),
            ("d/year=2020/month=09/day=13/p.parquet", true),
            ("d/year=2020/month=09/p.parquet", false),
            ("d/year=2019/p.parquet", true),
            ("d/flat.parquet", false),
        ] {
            assert_eq!(pruned_by_path(Path::new(path), &slice), pruned, "{path}");
        }
        assert!(!pruned_by_path(
            Path::new("d/date=2020-09-15/p.parquet"),
            &Slice::default()
        ));
    }

    #[test]
    fn filters_narrow_the_slice_only_by_top_level_terms() {
        use crate::model::query::Query;
        let slice = |q: &str| Slice::from_filter(Query::parse(q).expect("parses").filter());
        let s = slice(
            "REGION:us-east-1 (source:s3.amazonaws.com OR source:sts.*) time>=2020-09-14 time<2020-09-16",
        );
        assert_eq!(s.regions, Some(vec!["us-east-1".to_owned()]));
        assert_eq!(
            s.sources,
            Some(vec!["s3.amazonaws.com".to_owned(), "sts.*".to_owned()])
        );
        assert_eq!(s.since, parse_time_ms("2020-09-14T00:00:00Z"));
        assert_eq!(s.until, parse_time_ms("2020-09-15T23:59:59.999Z"));
        // An OR across fields, or a negation, says nothing about partitions.
        assert_eq!(
            slice("region:us-east-1 OR name:GetObject"),
            Slice::default()
        );
        assert_eq!(slice("-region:us-east-1"), Slice::default());
        assert_eq!(slice("region!=us-east-1"), Slice::default());
        assert_eq!(
            slice("time:2020-09-14").until,
            parse_time_ms("2020-09-14T23:59:59.999Z")
        );
        assert_eq!(
            slice("time>2020-09-14T10").since,
            parse_time_ms("2020-09-14T11:00:00Z")
        );
    }

    #[test]
    fn layouts_are_told_apart_by_their_names() {
        let l = |own, names: &[&str]| layout(own, names.iter().copied());
        assert_eq!(l(true, &["raw_json", "event_time"]), Shape::ParquetCttui);
        assert_eq!(
            l(false, &["eventVersion", "userIdentity", "eventTime"]),
            Shape::ParquetSpark
        );
        assert_eq!(
            l(false, &["eventversion", "useridentity", "eventtime"]),
            Shape::ParquetAthena
        );
        assert_eq!(l(false, &["event_time", "principal"]), Shape::Parquet);
    }

    #[test]
    fn partition_values_are_percent_decoded() {
        let p = partitions(Path::new("a/key=a%2Fb%3Dc/other/k2=%ZZ/f.parquet"));
        assert_eq!(
            p,
            vec![("key".into(), "a/b=c".into()), ("k2".into(), "%ZZ".into())]
        );
    }

    #[test]
    fn lower_cased_names_get_cloudtrail_spelling_back() {
        assert_eq!(record_key("useridentity", false), "userIdentity");
        assert_eq!(record_key("sourceipaddress", false), "sourceIPAddress");
        assert_eq!(record_key("arn", false), "arn");
        assert_eq!(record_key("arn", true), "ARN");
        assert_eq!(record_key("someNewField", false), "someNewField");
        assert_eq!(record_key("unknown_lower", false), "unknown_lower");
    }

    #[test]
    fn window_keeps_inclusive_bounds_and_drops_missing_times() {
        let s = Slice {
            since: Some(10),
            until: Some(20),
            ..Slice::default()
        };
        assert!(s.keeps_time(Some(10)) && s.keeps_time(Some(20)));
        assert!(!s.keeps_time(Some(9)) && !s.keeps_time(Some(21)));
        assert!(!s.keeps_time(None));
        assert!(Slice::default().keeps_time(None));
        assert!(s.overlaps(0, 10) && !s.overlaps(21, 30));
    }
}
