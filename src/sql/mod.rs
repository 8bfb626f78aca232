//! The playbook's questions as SQL where the whole trail lives: the 12 investigation queries and
//! the triage evidence queries, bound to the pins and the window, over Athena's standard CloudTrail
//! table or a `cttui convert` dataset read by DuckDB or Spark.
pub mod command;
pub mod dialect;

use std::fmt::Write;

pub use dialect::Engine;

use crate::error::Result;
use crate::model::query::{Field, Filter};
use crate::model::time::format_ms;
use crate::playbook::queries::bind;
use crate::playbook::triage::Answer;
use crate::playbook::{Pins, Playbook};

/// What the SQL runs over.
#[derive(Debug, Clone)]
pub struct Target {
    pub engine: Engine,
    /// Table name (Athena, Spark view) or the dataset's location (DuckDB `read_parquet`, Spark path).
    pub table: String,
    /// Hive partition keys of a converted dataset (`date` is used to prune by the window).
    pub partitions: Vec<String>,
}

impl Target {
    /// The engine's usual source: Athena's `cloudtrail_logs` (partition projection on `region`
    /// and `timestamp`), DuckDB's `read_parquet` over the dataset, Spark's `parquet.` path.
    pub fn new(engine: Engine, location: Option<&str>, partitions: Vec<String>) -> Result<Target> {
        if let Some(loc) = location {
            // Refuses control and bidi characters; Athena's name is quoted where not plain.
            dialect::table_name(loc)?;
        }
        let table = match (engine, location) {
            (Engine::Athena, Some(t)) => dialect::table_name(t)?,
            (Engine::Athena, None) => "cloudtrail_logs".to_owned(),
            (Engine::Duckdb, loc) => format!(
                "read_parquet({}, hive_partitioning = true)",
                dialect::literal(
                    engine,
                    &format!(
                        "{}/**/*.parquet",
                        loc.unwrap_or("cttui-parquet").trim_end_matches('/')
                    )
                )
            ),
            (Engine::Spark, loc) => format!(
                "parquet.`{}`",
                loc.unwrap_or("cttui-parquet").replace('`', "``")
            ),
        };
        Ok(Target {
            engine,
            table,
            partitions,
        })
    }

    fn source(&self) -> &str {
        &self.table
    }
}

/// One printed query.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SqlQuery {
    pub id: String,
    pub title: String,
    /// The query-language filter it was built from, pins filled in.
    pub filter: Option<String>,
    pub sql: Option<String>,
    /// Why there is no SQL (pins missing, not answerable from CloudTrail).
    pub note: Option<String>,
}

/// Extra values the local analysis found, turned into pivots over the whole trail.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// The suspect's public source addresses.
    pub addresses: Vec<String>,
    /// Access keys the suspect used.
    pub keys: Vec<String>,
}

/// Partition predicates implied by the filter's top-level terms, so the engine reads only the
/// slice: the window as the layout's date folders (Athena's projected `"timestamp"` =
/// `yyyy/MM/dd`, the dataset's `date`), exact regions and sources as `region`/`source` folders.
/// Regions and event sources are lower case in CloudTrail, as the folders are.
fn partition_sql(t: &Target, filter: &Filter) -> Vec<String> {
    let slice = crate::ingest::parquet::Slice::from_filter(filter);
    let e = t.engine;
    let has = |key: &str| match e {
        Engine::Athena => key == "region" || key == "timestamp",
        Engine::Duckdb | Engine::Spark => t.partitions.iter().any(|p| p == key),
    };
    let mut out = Vec::new();
    let (key, sep) = match e {
        Engine::Athena => ("\"timestamp\"", "/"),
        Engine::Duckdb | Engine::Spark => ("date", "-"),
    };
    if has(key.trim_matches('"')) {
        let day = |ms: i64| format!("'{}'", format_ms(ms)[..10].replace('-', sep));
        match (slice.since, slice.until) {
            (Some(a), Some(b)) => out.push(format!("{key} BETWEEN {} AND {}", day(a), day(b))),
            (Some(a), None) => out.push(format!("{key} >= {}", day(a))),
            (None, Some(b)) => out.push(format!("{key} <= {}", day(b))),
            (None, None) => {}
        }
    }
    for (key, values) in [("region", &slice.regions), ("source", &slice.sources)] {
        let Some(values) = values
            .as_ref()
            .filter(|v| v.iter().all(|v| !v.contains(['*', '?'])))
        else {
            continue;
        };
        if has(key) {
            let list: Vec<String> = values
                .iter()
                .map(|v| dialect::literal(e, &v.to_lowercase()))
                .collect();
            out.push(format!("{key} IN ({})", list.join(", ")));
        }
    }
    out
}

/// A full statement for a filter (the typed query, pins and window already in it): the events it
/// selects, or an aggregate when `group_by` is set.
pub fn statement(
    t: &Target,
    filter: &Filter,
    group_by: &[String],
    having: Option<usize>,
) -> Result<String> {
    let e = t.engine;
    let mut wh: Vec<String> = Vec::new();
    if let Some(s) = dialect::render(e, filter)? {
        wh.push(if matches!(filter, Filter::And(_)) {
            s
        } else {
            format!("({s})")
        });
    }
    wh.extend(partition_sql(t, filter));
    let col = |c: &str| dialect::column(e, c);
    let named = |c: &String| {
        let x = col(c);
        if x == *c { x } else { format!("{x} AS {c}") }
    };
    let mut sql = String::new();
    if group_by.is_empty() {
        let list: Vec<String> = LISTED.iter().map(|c| named(&(*c).to_owned())).collect();
        let _ = write!(sql, "SELECT {}\nFROM {}", list.join(", "), t.source());
    } else {
        let keys: Vec<String> = group_by.iter().map(named).collect();
        let _ = write!(
            sql,
            "SELECT {}, count(*) AS events, sum({}) AS bytes_out, min({}) AS first_seen, max({}) AS last_seen\nFROM {}",
            keys.join(", "),
            col("bytes_out"),
            col("event_time"),
            col("event_time"),
            t.source()
        );
    }
    if !wh.is_empty() {
        let _ = write!(sql, "\nWHERE {}", wh.join("\n  AND "));
    }
    if group_by.is_empty() {
        sql.push_str("\nORDER BY event_time");
    } else {
        let by: Vec<String> = group_by.iter().map(|c| col(c)).collect();
        let _ = write!(sql, "\nGROUP BY {}", by.join(", "));
        if let Some(n) = having {
            let _ = write!(sql, "\nHAVING count(*) > {n}");
        }
        sql.push_str("\nORDER BY events DESC");
    }
    Ok(sql)
}

/// The columns an event listing shows.
const LISTED: [&str; 9] = [
    "event_time",
    "principal",
    "source_ip",
    "access_key_id",
    "user_agent",
    "event_name",
    "bucket",
    "object_key",
    "error_code",
];

/// A query for a bound filter; a filter SQL cannot express (the analysis' `rule:`) gets a note.
fn query(
    t: &Target,
    id: &str,
    title: &str,
    filter: &Filter,
    group_by: &[String],
    having: Option<usize>,
) -> SqlQuery {
    let (sql, note) = match statement(t, filter, group_by, having) {
        Ok(s) => (Some(s), None),
        Err(e) => (None, Some(e.to_string())),
    };
    SqlQuery {
        id: id.to_owned(),
        title: title.to_owned(),
        filter: Some(filter.to_string()),
        sql,
        note,
    }
}

/// The 12 investigation queries bound to the pins (suspect, bucket, window).
pub fn playbook_queries(t: &Target, pins: &Pins) -> Result<Vec<SqlQuery>> {
    let pb = Playbook::builtin()?;
    let mut out = Vec::new();
    for spec in &pb.queries {
        if let Some(why) = &spec.unavailable {
            out.push(SqlQuery {
                id: spec.id.clone(),
                title: spec.title.clone(),
                filter: None,
                sql: None,
                note: Some(why.clone()),
            });
            continue;
        }
        out.push(match bind(spec, pins)? {
            Err(missing) => SqlQuery {
                id: spec.id.clone(),
                title: spec.title.clone(),
                filter: None,
                sql: None,
                note: Some(format!(
                    "needs a pinned {} (--{})",
                    missing.join(" and "),
                    missing.join(", --")
                )),
            },
            Ok(filter) => query(
                t,
                &spec.id,
                &spec.title,
                &filter.unwrap_or(Filter::All),
                &spec.group_by,
                spec.having,
            ),
        });
    }
    Ok(out)
}

/// The triage answers' evidence (each filter carries the pins and window it was answered with).
pub fn evidence_queries(t: &Target, answers: &[Answer]) -> Vec<SqlQuery> {
    answers
        .iter()
        .filter_map(|a| {
            let f = a.evidence_filter.as_ref()?;
            Some(query(
                t,
                &format!("triage {}", a.id),
                &a.question,
                f,
                &[],
                None,
            ))
        })
        .collect()
}

/// Pivots on what the local analysis found: every call from the suspect's addresses and every
/// call signed with its access keys, whoever made them, in the window.
pub fn found_queries(t: &Target, window: &Filter, found: &Found) -> Vec<SqlQuery> {
    let mut out = Vec::new();
    for (id, title, field, values) in [
        (
            "addresses",
            "All activity from the suspect's public addresses",
            Field::Ip,
            &found.addresses,
        ),
        (
            "keys",
            "All activity signed with the suspect's access keys",
            Field::Akid,
            &found.keys,
        ),
    ] {
        if values.is_empty() {
            continue;
        }
        let f =
            Filter::any(values.iter().map(|v| Filter::is(field, v.as_str()))).and(window.clone());
        out.push(query(
            t,
            id,
            title,
            &f,
            &["principal".to_owned(), "event_name".to_owned()],
            None,
        ));
    }
    out
}

/// The queries as one SQL script: a header naming the source, then each query after a comment.
pub fn script(t: &Target, pins: &Pins, queries: &[SqlQuery]) -> String {
    let clean = |s: &str| crate::text::sanitize(s).replace(['\n', '\r'], " ");
    let mut s = String::new();
    let _ = writeln!(s, "-- cttui: IRP-DataAccess queries for {:?}", t.engine);
    match t.engine {
        Engine::Athena => {
            let _ = writeln!(
                s,
                "-- over the CloudTrail table with partition projection (region, \"timestamp\" = yyyy/MM/dd); see README"
            );
        }
        Engine::Spark => {
            let _ = writeln!(
                s,
                "-- times are UTC: SET spark.sql.session.timeZone = UTC before running"
            );
        }
        Engine::Duckdb => {}
    }
    if let Some(p) = &pins.suspect {
        let _ = writeln!(s, "-- suspect: {}", clean(p));
    }
    if let Some(ip) = &pins.suspect_ip {
        let _ = writeln!(s, "-- suspect's activity from: {}", clean(ip));
    }
    if let Some(b) = &pins.bucket {
        let _ = writeln!(s, "-- bucket: {}", clean(b));
    }
    if let Some((a, b)) = pins.window {
        let _ = writeln!(s, "-- window: {} .. {}", format_ms(a), format_ms(b));
    }
    let _ = writeln!(
        s,
        "-- text is compared case-insensitively (lower(...)), as cttui's filters do"
    );
    for q in queries {
        let _ = writeln!(s, "\n-- {}: {}", clean(&q.id), clean(&q.title));
        if let Some(f) = &q.filter {
            let _ = writeln!(s, "-- filter: {}", clean(f));
        }
        match (&q.sql, &q.note) {
            (Some(sql), _) => {
                let _ = writeln!(s, "{sql};");
            }
            (None, Some(n)) => {
                let _ = writeln!(s, "-- not available: {}", clean(n));
            }
            (None, None) => {}
        }
    }
    s
}
