//! SQL text for three engines: literals (hostile values included), column expressions and the
//! query-language tree rendered as a WHERE clause.
use super::filter::{Node, Op, time_value};
use crate::error::{Error, Result};
use crate::ingest::time::format_ms;
use crate::model::schema::{self, TEXT_SEARCH_COLUMNS};

/// Where the SQL runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// Amazon Athena (Trino) over the standard CloudTrail table.
    Athena,
    /// DuckDB over a `cttui convert` dataset.
    Duckdb,
    /// Spark SQL over a `cttui convert` dataset.
    Spark,
}

/// A string literal. Quotes are doubled (Athena, DuckDB) or backslash-escaped (Spark, whose
/// literals read backslash escapes); control characters never appear raw: they become
/// `chr(n)` concatenations (Athena, DuckDB) or `\uXXXX` escapes (Spark).
pub fn literal(engine: Engine, s: &str) -> String {
    let is_control = |c: char| c.is_control();
    match engine {
        Engine::Spark => {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('\'');
            for c in s.chars() {
                match c {
                    '\'' => out.push_str("\\'"),
                    '\\' => out.push_str("\\\\"),
                    c if is_control(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('\'');
            out
        }
        Engine::Athena | Engine::Duckdb => {
            let mut parts: Vec<String> = Vec::new();
            let mut cur = String::new();
            for c in s.chars() {
                if is_control(c) {
                    parts.push(format!("'{}'", cur.replace('\'', "''")));
                    cur.clear();
                    parts.push(format!("chr({})", c as u32));
                } else {
                    cur.push(c);
                }
            }
            if parts.is_empty() || !cur.is_empty() {
                parts.push(format!("'{}'", cur.replace('\'', "''")));
            }
            if parts.len() == 1 {
                parts.remove(0)
            } else {
                format!("({})", parts.join(" || "))
            }
        }
    }
}

/// An IPv4 or IPv6 literal.
const IP_RE: &str = "^[0-9.]+$|^[0-9a-fA-F:]+$";
/// Private, shared, link-local and loopback ranges.
const PRIVATE_RE: &str = "^(10\\.|127\\.|169\\.254\\.|192\\.168\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.|100\\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\\.|::1$|f[cd])";

/// The expression for a store column over the engine's table.
pub fn column(engine: Engine, name: &str) -> String {
    if engine != Engine::Athena {
        return match name {
            "hour" => "date_trunc('hour', event_time)".to_owned(),
            n => n.to_owned(),
        };
    }
    let json = |field: &str, key: &str| format!("json_extract_scalar({field}, '$.{key}')");
    match name {
        "event_name" => "eventname".into(),
        "event_source" => "eventsource".into(),
        "aws_region" => "awsregion".into(),
        "source_ip" => "sourceipaddress".into(),
        "user_agent" => "useragent".into(),
        "principal" => "coalesce(useridentity.arn, useridentity.sessioncontext.sessionissuer.arn, useridentity.principalid)".into(),
        "identity_type" => "useridentity.type".into(),
        "user_name" => "useridentity.username".into(),
        "account_id" => "useridentity.accountid".into(),
        "recipient_account_id" => "recipientaccountid".into(),
        "access_key_id" => "useridentity.accesskeyid".into(),
        "session_issuer" => "useridentity.sessioncontext.sessionissuer.arn".into(),
        "error_code" => "errorcode".into(),
        "error_message" => "errormessage".into(),
        "event_category" => "eventcategory".into(),
        "event_type" => "eventtype".into(),
        "request_id" => "requestid".into(),
        "event_id" => "eventid".into(),
        "bucket" => json("requestparameters", "bucketName"),
        "object_key" => json("requestparameters", "key"),
        schema::EVENT_TIME => "from_iso8601_timestamp(eventtime)".into(),
        schema::BYTES_OUT => format!(
            "try_cast({} AS bigint)",
            json("additionaleventdata", "bytesTransferredOut")
        ),
        schema::BYTES_IN => format!(
            "try_cast({} AS bigint)",
            json("additionaleventdata", "bytesTransferredIn")
        ),
        schema::READ_ONLY => "(lower(cast(readonly AS varchar)) = 'true')".into(),
        schema::MANAGEMENT_EVENT => "(lower(cast(managementevent AS varchar)) = 'true')".into(),
        schema::MFA_AUTHENTICATED => {
            "(lower(useridentity.sessioncontext.attributes.mfaauthenticated) = 'true')".into()
        }
        // Public IP literals outside the private, shared and loopback ranges (as model::net;
        // Athena has no copy of AWS's published ranges, so EC2 addresses count as outside).
        schema::OUTSIDE_AWS => format!(
            "(regexp_like(sourceipaddress, '{IP_RE}') AND NOT regexp_like(sourceipaddress, '{PRIVATE_RE}'))"
        ),
        schema::NET_CLASS => format!(
            "(CASE WHEN sourceipaddress LIKE '%.amazonaws.com' OR sourceipaddress = 'AWS Internal' THEN 'aws-service' \
             WHEN regexp_like(sourceipaddress, '{PRIVATE_RE}') THEN 'private' \
             WHEN regexp_like(sourceipaddress, '{IP_RE}') THEN 'outside' ELSE 'none' END)"
        ),
        "hour" => "date_trunc('hour', from_iso8601_timestamp(eventtime))".into(),
        other => other.to_owned(),
    }
}

/// A time literal (UTC).
pub fn time_literal(engine: Engine, ms: i64) -> String {
    let iso = format_ms(ms);
    match engine {
        Engine::Athena => format!("from_iso8601_timestamp('{iso}')"),
        // The converted dataset stores UTC times without a zone (Spark: run with
        // spark.sql.session.timeZone=UTC).
        Engine::Duckdb | Engine::Spark => {
            format!(
                "TIMESTAMP '{}'",
                iso.trim_end_matches('Z').replace('T', " ")
            )
        }
    }
}

fn is_glob(v: &str) -> bool {
    v.contains(['*', '?'])
}

/// A glob as a LIKE pattern (lower-cased, `\` escapes `%`, `_` and itself).
fn like_pattern(v: &str) -> String {
    let mut p = String::with_capacity(v.len() + 4);
    for c in v.to_lowercase().chars() {
        match c {
            '%' | '_' | '\\' => {
                p.push('\\');
                p.push(c);
            }
            '*' => p.push('%'),
            '?' => p.push('_'),
            c => p.push(c),
        }
    }
    p
}

fn like(engine: Engine, expr: &str, glob: &str) -> String {
    let pat = literal(engine, &like_pattern(glob));
    match engine {
        // Spark's LIKE escapes with `\` by default.
        Engine::Spark => format!("lower({expr}) LIKE {pat}"),
        Engine::Athena | Engine::Duckdb => format!("lower({expr}) LIKE {pat} ESCAPE '\\'"),
    }
}

fn text_term(engine: Engine, col: &str, value: &str) -> String {
    let e = column(engine, col);
    if value == "*" {
        format!("{e} IS NOT NULL")
    } else if value.is_empty() {
        format!("{e} IS NULL")
    } else if is_glob(value) {
        like(engine, &e, value)
    } else {
        format!("{e} = {}", literal(engine, value))
    }
}

fn cmp(op: Op) -> &'static str {
    match op {
        Op::Eq => "=",
        Op::Ne => "<>",
        Op::Gt => ">",
        Op::Ge => ">=",
        Op::Lt => "<",
        Op::Le => "<=",
    }
}

/// `1500`, `1M` (decimal k/M/G/T) or `64KiB` (binary Ki/Mi/Gi/Ti), an optional `B`.
fn byte_count(v: &str) -> Option<i64> {
    let t = v.trim();
    let t = t.strip_suffix(['B', 'b']).unwrap_or(t);
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let mult: i64 = match unit.to_ascii_lowercase().as_str() {
        "" => 1,
        "k" => 1_000,
        "m" => 1_000_000,
        "g" => 1_000_000_000,
        "t" => 1_000_000_000_000,
        "ki" => 1 << 10,
        "mi" => 1 << 20,
        "gi" => 1 << 30,
        "ti" => 1 << 40,
        _ => return None,
    };
    num.parse::<i64>().ok()?.checked_mul(mult)
}

fn bad(msg: String) -> Error {
    Error::Query { pos: 1, msg }
}

fn field_term(engine: Engine, col: &str, op: Op, value: &str) -> Result<String> {
    let e = column(engine, col);
    match col {
        schema::EVENT_TIME => {
            let (t, len) =
                time_value(value).ok_or_else(|| bad(format!("not a time: {value:?}")))?;
            let lit = |ms| time_literal(engine, ms);
            Ok(match op {
                Op::Eq => format!("({e} >= {} AND {e} < {})", lit(t), lit(t + len)),
                Op::Ne => format!("NOT ({e} >= {} AND {e} < {})", lit(t), lit(t + len)),
                Op::Gt => format!("{e} >= {}", lit(t + len)),
                Op::Ge => format!("{e} >= {}", lit(t)),
                Op::Lt => format!("{e} < {}", lit(t)),
                Op::Le => format!("{e} < {}", lit(t + len)),
            })
        }
        schema::BYTES_OUT | schema::BYTES_IN => {
            if value == "*" {
                return Ok(format!("{e} IS NOT NULL"));
            }
            let n = byte_count(value).ok_or_else(|| bad(format!("not a number: {value:?}")))?;
            Ok(format!("{e} {} {n}", cmp(op)))
        }
        schema::READ_ONLY
        | schema::MANAGEMENT_EVENT
        | schema::MFA_AUTHENTICATED
        | schema::OUTSIDE_AWS => {
            let b = match value.to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => true,
                "false" | "no" | "0" => false,
                _ => return Err(bad(format!("not a boolean: {value:?}"))),
            };
            let positive = (op == Op::Eq) == b;
            Ok(if positive {
                format!("coalesce({e}, false)")
            } else {
                format!("NOT coalesce({e}, false)")
            })
        }
        _ => {
            let t = text_term(engine, col, value);
            Ok(if op == Op::Ne {
                format!("NOT coalesce({t}, false)")
            } else {
                t
            })
        }
    }
}

/// The tree as a boolean SQL expression.
pub fn render(engine: Engine, node: &Node) -> Result<String> {
    Ok(match node {
        Node::And(parts) => parts
            .iter()
            .map(|p| render(engine, p).map(|s| group(p, s)))
            .collect::<Result<Vec<_>>>()?
            .join(" AND "),
        Node::Or(parts) => format!(
            "({})",
            parts
                .iter()
                .map(|p| render(engine, p).map(|s| group(p, s)))
                .collect::<Result<Vec<_>>>()?
                .join(" OR ")
        ),
        Node::Not(inner) => format!("NOT coalesce(({}), false)", render(engine, inner)?),
        Node::Field { column, op, value } => field_term(engine, column, *op, value)?,
        Node::Bare(word) => {
            let glob = format!("*{}*", word.trim_matches('*'));
            format!(
                "({})",
                TEXT_SEARCH_COLUMNS
                    .iter()
                    .map(|c| like(engine, &column(engine, c), &glob))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            )
        }
    })
}

fn group(node: &Node, s: String) -> String {
    match node {
        Node::And(_) => format!("({s})"),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_per_engine() {
        let v = "arn:aws:iam::1:user/o'brien\\x\ny";
        assert_eq!(
            literal(Engine::Athena, v),
            "('arn:aws:iam::1:user/o''brien\\x' || chr(10) || 'y')"
        );
        assert_eq!(
            literal(Engine::Spark, v),
            "'arn:aws:iam::1:user/o\\'brien\\\\x\\u000ay'"
        );
        assert_eq!(literal(Engine::Duckdb, "plain"), "'plain'");
        assert_eq!(literal(Engine::Duckdb, ""), "''");
        assert_eq!(literal(Engine::Duckdb, "\u{9b}"), "('' || chr(155))");
    }

    #[test]
    fn byte_counts_read_like_the_query_language() {
        assert_eq!(byte_count("1500"), Some(1500));
        assert_eq!(byte_count("1M"), Some(1_000_000));
        assert_eq!(byte_count("64KiB"), Some(65_536));
        assert_eq!(byte_count("2x"), None);
        assert_eq!(
            field_term(Engine::Duckdb, "bytes_out", Op::Gt, "1M").expect("sql"),
            "bytes_out > 1000000"
        );
    }

    #[test]
    fn globs_become_escaped_like_patterns() {
        assert_eq!(like_pattern("*Secret_100%*"), "%secret\\_100\\%%");
        assert_eq!(
            text_term(Engine::Duckdb, "bucket", "a*"),
            "lower(bucket) LIKE 'a%' ESCAPE '\\'"
        );
        assert_eq!(
            text_term(Engine::Spark, "bucket", "a_*"),
            "lower(bucket) LIKE 'a\\\\_%'"
        );
    }
}
