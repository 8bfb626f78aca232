//! The 12 investigation queries as views bound to the analyst's pins.
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::steps::QuerySpec;
use crate::Result;
use crate::model::query::{Field, Filter, Op, Query};
use crate::model::store::EventStore;
use crate::model::time::format_ms;

/// What the analyst pinned: the suspect principal, the bucket, a time window (epoch ms, inclusive).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pins {
    pub suspect: Option<String>,
    /// Narrows the suspect's activity to one source address, or to `outside` (any public address):
    /// stolen credentials are often used beside their owner's normal traffic.
    #[serde(default)]
    pub suspect_ip: Option<String>,
    pub bucket: Option<String>,
    pub window: Option<(i64, i64)>,
}

impl Pins {
    /// The suspect's activity: the principal, narrowed by `suspect_ip`.
    pub fn suspect_filter(&self) -> Option<Filter> {
        let s = self.suspect.as_deref()?;
        let who = Filter::is(Field::User, s);
        Some(match self.suspect_ip.as_deref() {
            None => who,
            Some("outside") => who.and(Filter::is(Field::Outside, "true")),
            Some(ip) => who.and(Filter::is(Field::Ip, ip)),
        })
    }

    /// The suspect filter as query text (what the filter box shows).
    pub fn suspect_query(&self) -> Option<String> {
        self.suspect_filter().map(|f| f.to_string())
    }

    pub fn bucket_filter(&self) -> Option<Filter> {
        self.bucket.as_deref().map(|b| Filter::is(Field::Bucket, b))
    }

    /// The pinned window as time terms (`All` when none): part of every evidence query, so its
    /// text selects exactly the rows it counts.
    pub fn window_filter(&self) -> Filter {
        match self.window {
            None => Filter::All,
            Some((a, b)) => Filter::all([
                Filter::cmp(Field::Time, Op::Ge, format_ms(a)),
                // `<` the next millisecond: the window's end is inclusive and may carry ms.
                Filter::cmp(Field::Time, Op::Lt, format_ms(b + 1)),
            ]),
        }
    }

    fn has(&self, need: &str) -> bool {
        match need {
            "suspect" => self.suspect.is_some(),
            "bucket" => self.bucket.is_some(),
            _ => false,
        }
    }
}

/// One aggregate row: the group's key values, event count, bytes out, first and last time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub key: Vec<String>,
    pub count: usize,
    pub bytes_out: i64,
    pub first: Option<String>,
    pub last: Option<String>,
    /// The group's events (store rows), for pivots.
    #[serde(skip)]
    pub rows: Vec<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QueryResult {
    pub id: String,
    pub title: String,
    /// The query text that ran, pins filled in.
    pub filter: Option<String>,
    /// Pins the query needs that are not set.
    pub missing: Vec<String>,
    pub unavailable: Option<String>,
    #[serde(skip)]
    pub rows: Vec<u32>,
    pub events: usize,
    pub group_by: Vec<String>,
    pub groups: Vec<Group>,
}

/// The spec's query with pins filled in as values (window not included), or the pins it lacks.
fn bind_pins(
    spec: &QuerySpec,
    pins: &Pins,
) -> Result<std::result::Result<Option<Filter>, Vec<String>>> {
    let missing: Vec<String> = spec
        .needs
        .iter()
        .filter(|n| !pins.has(n))
        .cloned()
        .collect();
    if !missing.is_empty() {
        return Ok(Err(missing));
    }
    let Some(text) = &spec.filter else {
        return Ok(Ok(None));
    };
    let mut f = Query::parse(text)?.filter().clone();
    if let Some(s) = pins.suspect_filter() {
        f = f.substitute(Field::User, "{SUSPECT}", &s);
    }
    if let Some(b) = pins.bucket_filter() {
        f = f.substitute(Field::Bucket, "{BUCKET}", &b);
    }
    Ok(Ok(Some(f)))
}

/// The spec's query with pins and the pinned window filled in as values, or the pins it lacks.
pub fn bind(
    spec: &QuerySpec,
    pins: &Pins,
) -> Result<std::result::Result<Option<Filter>, Vec<String>>> {
    Ok(bind_pins(spec, pins)?.map(|f| f.map(|f| f.and(pins.window_filter()))))
}

/// Rows of `rows` inside the pinned window.
pub fn in_window(store: &EventStore, rows: Vec<u32>, window: Option<(i64, i64)>) -> Vec<u32> {
    match window {
        None => rows,
        Some((a, b)) => rows
            .into_iter()
            .filter(|&r| store.time_at(r as usize).is_some_and(|t| t >= a && t <= b))
            .collect(),
    }
}

pub fn run(store: &EventStore, spec: &QuerySpec, pins: &Pins) -> Result<QueryResult> {
    let mut out = QueryResult {
        id: spec.id.clone(),
        title: spec.title.clone(),
        filter: None,
        missing: Vec::new(),
        unavailable: spec.unavailable.clone(),
        rows: Vec::new(),
        events: 0,
        group_by: spec.group_by.clone(),
        groups: Vec::new(),
    };
    if out.unavailable.is_some() {
        return Ok(out);
    }
    let filter = match bind(spec, pins)? {
        Ok(f) => f,
        Err(missing) => {
            out.missing = missing;
            return Ok(out);
        }
    };
    let q = Query::new(filter.unwrap_or(Filter::All))?;
    out.rows = q.rows(store, None)?;
    out.events = out.rows.len();
    out.filter = (!q.is_empty()).then(|| q.to_string());
    if !spec.group_by.is_empty() {
        out.groups = aggregate(store, &out.rows, &spec.group_by, spec.having.unwrap_or(0));
    }
    Ok(out)
}

/// Groups rows by the given columns (`hour` = time floored to the hour); most events first, ties by key.
pub fn aggregate(store: &EventStore, rows: &[u32], by: &[String], having: usize) -> Vec<Group> {
    let cols: Vec<_> = by.iter().map(|c| (c.as_str(), store.str_col(c))).collect();
    let mut groups: FxHashMap<Vec<String>, Group> = FxHashMap::default();
    for &r in rows {
        let row = r as usize;
        let time = store.time_at(row);
        let key: Vec<String> = cols
            .iter()
            .map(|(name, col)| match (*name, col) {
                ("hour", _) => time
                    .map(|t| format_ms(t - t.rem_euclid(3_600_000)))
                    .unwrap_or_default(),
                (_, Some(c)) => c.get(row).unwrap_or("").to_owned(),
                _ => String::new(),
            })
            .collect();
        let g = groups.entry(key.clone()).or_insert_with(|| Group {
            key,
            count: 0,
            bytes_out: 0,
            first: None,
            last: None,
            rows: Vec::new(),
        });
        g.count += 1;
        g.bytes_out += store.i64_at("bytes_out", row).unwrap_or(0);
        g.rows.push(r);
    }
    let mut out: Vec<Group> = groups
        .into_values()
        .filter(|g| g.count > having)
        .map(|mut g| {
            // Rows are in time order, so the first and last rows carry the first and last times.
            g.first = g
                .rows
                .first()
                .and_then(|&r| store.time_at(r as usize))
                .map(format_ms);
            g.last = g
                .rows
                .last()
                .and_then(|&r| store.time_at(r as usize))
                .map(format_ms);
            g
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binding_fills_pins_as_values_and_reports_missing_ones() {
        let spec = QuerySpec {
            id: "q8".into(),
            title: "t".into(),
            needs: vec!["suspect".into(), "bucket".into()],
            filter: Some("user:{SUSPECT} bucket:{BUCKET} name:GetObject".into()),
            group_by: vec![],
            having: None,
            unavailable: None,
        };
        let suspect = "arn:aws:sts::1:assumed-role/r/\"x\" (y) OR *";
        let pins = Pins {
            suspect: Some(suspect.into()),
            ..Pins::default()
        };
        assert_eq!(
            bind(&spec, &pins).expect("ok"),
            Err(vec!["bucket".to_owned()])
        );
        let pins = Pins {
            bucket: Some("b*".into()),
            suspect_ip: Some("outside".into()),
            window: Some((0, 60_000)),
            ..pins
        };
        let f = bind(&spec, &pins)
            .expect("ok")
            .expect("bound")
            .expect("filter");
        assert_eq!(
            f,
            Filter::all([
                Filter::is(Field::User, suspect),
                Filter::is(Field::Outside, "true"),
                Filter::is(Field::Bucket, "b*"),
                Filter::is(Field::Name, "GetObject"),
                pins.window_filter(),
            ])
        );
        // Its text reads back to the same values: a `*` in a pin is not a wildcard.
        let text = f.to_string();
        assert_eq!(Query::parse(&text).expect("parses").filter(), &f, "{text}");
    }
}
