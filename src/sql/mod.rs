//! The playbook's questions as SQL where the whole trail lives: the 12 investigation queries and
//! the triage evidence queries, bound to the pins and the window, over Athena's standard CloudTrail
//! table or a `cttui convert` dataset read by DuckDB or Spark.
pub mod command;
pub mod dialect;
pub mod filter;

use std::fmt::Write;

pub use dialect::Engine;

use crate::error::Result;
use crate::ingest::time::format_ms;
use crate::model::query::{Field, Filter};
use crate::playbook::queries::bind;
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
    pub fn new(engine: Engine, location: Option<&str>, partitions: Vec<String>) -> Target {
        let table = match (engine, location) {
            (Engine::Athena, Some(t)) => t.to_owned(),
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
        Target {
            engine,
            table,
            partitions,
        }
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

/// The window predicate: event time bounds plus, where the layout allows, partition bounds so the
/// engine reads only the slice.
fn window_sql(t: &Target, window: Option<(i64, i64)>) -> Vec<String> {
    let Some((a, b)) = window else {
        return Vec::new();
    };
    let e = t.engine;
    let time = dialect::column(e, crate::model::schema::EVENT_TIME);
    let mut out = vec![format!(
        "{time} BETWEEN {} AND {}",
        dialect::time_literal(e, a),
        dialect::time_literal(e, b)
    )];
    let day = |ms: i64, sep: &str| format_ms(ms)[..10].replace('-', sep);
    match e {
        // The partition-projection table from the README/AWS docs: `timestamp` = yyyy/MM/dd.
        Engine::Athena => out.push(format!(
            "\"timestamp\" BETWEEN '{}' AND '{}'",
            day(a, "/"),
            day(b, "/")
        )),
        Engine::Duckdb | Engine::Spark => {
            if t.partitions.iter().any(|p| p == "date") {
                out.push(format!(
                    "date BETWEEN '{}' AND '{}'",
                    day(a, "-"),
                    day(b, "-")
                ));
            }
        }
    }
    out
}

/// Partition predicates implied by the filter's top-level region and source terms (exact values
/// only), so the engine skips other folders: the dataset's `region`/`source` keys, Athena's `region`.
fn partition_sql(t: &Target, filter: &str) -> Result<Vec<String>> {
    let hints = filter::slice_hints(filter)?;
    let mut out = Vec::new();
    for (key, values) in [("region", &hints.regions), ("source", &hints.sources)] {
        let Some(values) = values
            .as_ref()
            .filter(|v| v.iter().all(|v| !v.contains(['*', '?'])))
        else {
            continue;
        };
        let has = match t.engine {
            Engine::Athena => key == "region",
            Engine::Duckdb | Engine::Spark => t.partitions.iter().any(|p| p == key),
        };
        if has {
            let list: Vec<String> = values
                .iter()
                .map(|v| dialect::literal(t.engine, v))
                .collect();
            out.push(format!("{key} IN ({})", list.join(", ")));
        }
    }
    Ok(out)
}

/// A full statement for a filter: event listing, or an aggregate when `group_by` is set.
pub fn statement(
    t: &Target,
    filter: &str,
    window: Option<(i64, i64)>,
    group_by: &[String],
    having: Option<usize>,
) -> Result<String> {
    let e = t.engine;
    let mut wh: Vec<String> = Vec::new();
    if let Some(node) = filter::parse(filter)? {
        let s = dialect::render(e, &node)?;
        wh.push(if matches!(node, filter::Node::And(_)) {
            s
        } else {
            format!("({s})")
        });
    }
    wh.extend(window_sql(t, window));
    wh.extend(partition_sql(t, filter)?);
    let col = |c: &str| dialect::column(e, c);
    let mut sql = String::new();
    if group_by.is_empty() {
        let cols = [
            "event_time",
            "principal",
            "source_ip",
            "event_name",
            "bucket",
            "object_key",
            "error_code",
        ];
        let list: Vec<String> = cols
            .iter()
            .map(|c| {
                let x = col(c);
                if x == *c { x } else { format!("{x} AS {c}") }
            })
            .collect();
        let _ = write!(sql, "SELECT {}\nFROM {}", list.join(", "), t.source());
    } else {
        let keys: Vec<String> = group_by
            .iter()
            .map(|c| {
                let x = col(c);
                if x == *c { x } else { format!("{x} AS {c}") }
            })
            .collect();
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

/// The 12 investigation queries bound to the pins.
pub fn playbook_queries(t: &Target, pins: &Pins) -> Result<Vec<SqlQuery>> {
    let pb = Playbook::builtin()?;
    let mut out = Vec::new();
    for spec in &pb.queries {
        let mut q = SqlQuery {
            id: spec.id.clone(),
            title: spec.title.clone(),
            filter: None,
            sql: None,
            note: spec.unavailable.clone(),
        };
        if q.note.is_none() {
            match bind(spec, pins)? {
                Err(missing) => {
                    q.note = Some(format!(
                        "needs a pinned {} (--{})",
                        missing.join(" and "),
                        missing.join(", --")
                    ));
                }
                Ok(filter) => {
                    let f = filter.map(|f| f.to_string()).unwrap_or_default();
                    q.sql = Some(statement(t, &f, pins.window, &spec.group_by, spec.having)?);
                    q.filter = Some(f);
                }
            }
        }
        out.push(q);
    }
    Ok(out)
}

/// Evidence queries as (id, question, query-language filter): translated like the playbook's.
pub fn evidence_queries(
    t: &Target,
    window: Option<(i64, i64)>,
    evidence: &[(String, String, String)],
) -> Result<Vec<SqlQuery>> {
    evidence
        .iter()
        .map(|(id, title, f)| {
            Ok(SqlQuery {
                id: id.clone(),
                title: title.clone(),
                filter: Some(f.clone()),
                sql: Some(statement(t, f, window, &[], None)?),
                note: None,
            })
        })
        .collect()
}

/// Pivots on what the local analysis found: every call from the suspect's addresses and every
/// call signed with its access keys, whoever made them.
pub fn found_queries(
    t: &Target,
    window: Option<(i64, i64)>,
    found: &Found,
) -> Result<Vec<SqlQuery>> {
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
        let f = Filter::any(values.iter().map(|v| Filter::is(field, v.as_str()))).to_string();
        out.push(SqlQuery {
            id: id.to_owned(),
            title: title.to_owned(),
            sql: Some(statement(
                t,
                &f,
                window,
                &["principal".to_owned(), "event_name".to_owned()],
                None,
            )?),
            filter: Some(f),
            note: None,
        });
    }
    Ok(out)
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
    if let Some((a, b)) = pins.window {
        let _ = writeln!(s, "-- window: {} .. {}", format_ms(a), format_ms(b));
    }
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
