//! SQL text for three engines: literals (hostile values included), column expressions, and the
//! query language's typed filter ([`Filter`], parsed once by `model::query`) rendered as a WHERE
//! clause that selects what the same filter selects in cttui.
//!
//! Matching follows the query language: text is compared case-insensitively (`lower(col)` against
//! a lower-cased literal: `name:getobject` finds CloudTrail's `GetObject`), `*`/`?` are wildcards
//! only in globs, a principal also matches by a tail after `:` or `/`, a missing value never
//! matches, and `-`/`NOT` selects what the term does not.
use crate::error::{Error, Result};
use crate::model::query::{Field, Filter, Kind, MAX_DEPTH, Op, Value, parse_bool, parse_size};
use crate::model::schema::{self, TEXT_SEARCH_COLUMNS};
use crate::model::time::{format_ms, parse_literal};

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

/// Characters never written raw into SQL text: controls (a newline would end a `--` comment and
/// start a statement) and what `text::is_unsafe` keeps off terminals (bidi overrides).
fn escaped(c: char) -> bool {
    crate::text::is_unsafe(c) || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// A string literal. Quotes are doubled (Athena, DuckDB: neither reads backslash escapes) or
/// backslash-escaped (Spark, whose literals do); unsafe characters never appear raw: they become
/// `chr(n)` concatenations (Athena, DuckDB) or `\uXXXX` escapes (Spark).
pub fn literal(engine: Engine, s: &str) -> String {
    match engine {
        Engine::Spark => {
            let mut out = String::with_capacity(s.len() + 2);
            out.push('\'');
            for c in s.chars() {
                match c {
                    '\'' => out.push_str("\\'"),
                    '\\' => out.push_str("\\\\"),
                    c if escaped(c) => {
                        let mut units = [0u16; 2];
                        for u in c.encode_utf16(&mut units) {
                            out.push_str(&format!("\\u{u:04x}"));
                        }
                    }
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
                if escaped(c) {
                    if !cur.is_empty() {
                        parts.push(format!("'{}'", cur.replace('\'', "''")));
                        cur.clear();
                    }
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

/// A table name as an Athena identifier: plain `db.table` as is, anything else double-quoted per
/// dotted part (quotes doubled). Unsafe characters are refused.
pub fn table_name(name: &str) -> Result<String> {
    if name.chars().any(escaped) || name.trim().is_empty() {
        return Err(Error::Invalid(format!(
            "--table: not a usable table name: {}",
            crate::text::sanitize(name)
        )));
    }
    let plain = |p: &str| {
        p.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    Ok(name
        .split('.')
        .map(|p| {
            if plain(p) {
                p.to_owned()
            } else {
                format!("\"{}\"", p.replace('"', "\"\""))
            }
        })
        .collect::<Vec<_>>()
        .join("."))
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

/// `v` as a LIKE pattern, lower-cased: a glob's `*`/`?` become `%`/`_`; `%`, `_` and `\` (and an
/// exact value's `*`/`?`) match themselves (`\` escapes).
fn like_pattern(v: &Value) -> String {
    let glob = matches!(v, Value::Glob(_));
    let mut p = String::with_capacity(v.text().len() + 4);
    for c in v.text().to_lowercase().chars() {
        match c {
            '%' | '_' | '\\' => {
                p.push('\\');
                p.push(c);
            }
            '*' if glob => p.push('%'),
            '?' if glob => p.push('_'),
            c => p.push(c),
        }
    }
    p
}

/// `lower(expr) LIKE pattern` with `\` as the escape (Spark's default; the others say so).
fn like(engine: Engine, expr: &str, pattern: &str) -> String {
    let pat = literal(engine, pattern);
    match engine {
        Engine::Spark => format!("lower({expr}) LIKE {pat}"),
        Engine::Athena | Engine::Duckdb => format!("lower({expr}) LIKE {pat} ESCAPE '\\'"),
    }
}

fn unsupported(what: String) -> Error {
    Error::Invalid(format!("no SQL for {what}"))
}

/// A text term (`field:value`), true or false/NULL (NULL never selects, see [`render`]).
fn text_term(engine: Engine, field: Field, value: &Value) -> String {
    let e = column(engine, field.column());
    let v = value.text();
    if v.is_empty() {
        // `field:""`: no value or an empty one.
        return format!("({e} IS NULL OR {e} = '')");
    }
    let whole = match value {
        Value::Exact(s) => format!("lower({e}) = {}", literal(engine, &s.to_lowercase())),
        Value::Glob(_) => like(engine, &e, &like_pattern(value)),
    };
    // A principal also matches by a tail after ':' or '/' (`user/alice`, `alice`). A leading `*`
    // already matches any tail, and an ARN is never such a tail (session and user names hold no
    // ':'), so those are left as they are.
    let tails =
        field == Field::User && !v.starts_with('*') && !v.to_ascii_lowercase().starts_with("arn:");
    if !tails {
        return whole;
    }
    let pat = like_pattern(value);
    format!(
        "({whole} OR {} OR {})",
        like(engine, &e, &format!("%/{pat}")),
        like(engine, &e, &format!("%:{pat}"))
    )
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

fn term(engine: Engine, field: Field, op: Op, value: &Value) -> Result<String> {
    let name = field.name();
    if field.needs_analysis() {
        return Err(unsupported(format!(
            "'{name}:': rules, levels and risk are cttui's analysis, not columns of the trail"
        )));
    }
    let e = column(engine, field.column());
    let v = value.text();
    // `!=` negates text and boolean matches; numbers and times compare (as the query language).
    let negated = op == Op::Ne && matches!(field.kind(), Kind::Text | Kind::Bool);
    let neg = |s: String| {
        if negated {
            format!("NOT coalesce({s}, false)")
        } else {
            s
        }
    };
    if matches!(value, Value::Glob(g) if g.chars().all(|c| c == '*'))
        && matches!(op, Op::Eq | Op::Ne)
    {
        return Ok(neg(format!("{e} IS NOT NULL")));
    }
    Ok(match field.kind() {
        Kind::Text => neg(text_term(engine, field, value)),
        Kind::Bool => {
            let b = parse_bool(v)
                .ok_or_else(|| unsupported(format!("'{name}:{v}' (not true or false)")))?;
            neg(if b {
                format!("coalesce({e}, false)")
            } else {
                format!("coalesce(NOT {e}, false)")
            })
        }
        Kind::Int => {
            let n =
                parse_size(v).ok_or_else(|| unsupported(format!("'{name}{v}' (not a number)")))?;
            format!("{e} {} {n}", cmp(op))
        }
        Kind::Time => {
            let (t, period) =
                parse_literal(v).ok_or_else(|| unsupported(format!("'{name}{v}' (not a time)")))?;
            let lit = |ms| time_literal(engine, ms);
            // `time:2020-09-14` is the whole day; `time>2020-09-14` is after it.
            match op {
                Op::Eq => format!("({e} >= {} AND {e} < {})", lit(t), lit(t + period)),
                Op::Ne => format!("({e} < {} OR {e} >= {})", lit(t), lit(t + period)),
                Op::Gt => format!("{e} >= {}", lit(t + period)),
                Op::Le => format!("{e} < {}", lit(t + period)),
                Op::Ge => format!("{e} >= {}", lit(t)),
                Op::Lt => format!("{e} < {}", lit(t)),
            }
        }
        Kind::Level => return Err(unsupported(format!("'{name}:'"))),
    })
}

/// A bare word: found inside any of the text columns the query language searches.
fn word(engine: Engine, value: &Value) -> String {
    let pat = format!("%{}%", like_pattern(value));
    let parts: Vec<String> = TEXT_SEARCH_COLUMNS
        .iter()
        .map(|c| like(engine, &column(engine, c), &pat))
        .collect();
    format!("({})", parts.join(" OR "))
}

/// An OR of exact values of one text field (not the principal, which also matches by tail) as
/// `lower(col) IN (…)`: the same rows, easier to read.
fn in_list(engine: Engine, parts: &[Filter]) -> Option<String> {
    let mut field = None;
    let mut values = Vec::with_capacity(parts.len());
    for p in parts {
        let Filter::Term {
            field: f,
            op: Op::Eq,
            value: Value::Exact(v),
        } = p
        else {
            return None;
        };
        if v.is_empty()
            || *f == Field::User
            || f.kind() != Kind::Text
            || f.needs_analysis()
            || field.is_some_and(|x| x != *f)
        {
            return None;
        }
        field = Some(*f);
        values.push(literal(engine, &v.to_lowercase()));
    }
    let f = field?;
    Some(format!(
        "lower({}) IN ({})",
        column(engine, f.column()),
        values.join(", ")
    ))
}

fn expr(engine: Engine, f: &Filter) -> Result<String> {
    Ok(match f {
        Filter::All => "TRUE".to_owned(),
        Filter::And(v) => v
            .iter()
            .map(|c| expr(engine, c))
            .collect::<Result<Vec<_>>>()?
            .join(" AND "),
        Filter::Or(v) => {
            if let Some(list) = in_list(engine, v) {
                return Ok(list);
            }
            let parts = v
                .iter()
                .map(|c| {
                    expr(engine, c).map(|s| match c {
                        Filter::And(_) => format!("({s})"),
                        _ => s,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            format!("({})", parts.join(" OR "))
        }
        // A NULL (a missing value) never matches, so its negation does.
        Filter::Not(c) => format!("NOT coalesce(({}), false)", expr(engine, c)?),
        Filter::Term { field, op, value } => term(engine, *field, *op, value)?,
        Filter::Word(v) => word(engine, v),
    })
}

/// The filter as a boolean SQL expression; `None` for the empty filter (every event). Its rows
/// are the rows the filter selects in cttui (a NULL result counts as not selected, as in WHERE).
pub fn render(engine: Engine, f: &Filter) -> Result<Option<String>> {
    if matches!(f, Filter::All) {
        return Ok(None);
    }
    if f.depth() > MAX_DEPTH + 1 {
        return Err(unsupported(format!(
            "a filter nested deeper than {MAX_DEPTH} levels"
        )));
    }
    expr(engine, f).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::query::Query;

    fn sql(e: Engine, q: &str) -> String {
        let parsed = Query::parse(q).expect("parses");
        render(e, parsed.filter())
            .expect("renders")
            .expect("not empty")
    }

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
        assert_eq!(literal(Engine::Duckdb, "\u{9b}"), "chr(155)");
        assert_eq!(
            literal(Engine::Athena, "a\u{202e}b"),
            "('a' || chr(8238) || 'b')"
        );
        assert_eq!(literal(Engine::Spark, "\u{1b}[2J"), "'\\u001b[2J'");
    }

    #[test]
    fn table_names_are_quoted_when_not_plain() {
        assert_eq!(
            table_name("db.cloudtrail_logs").expect("ok"),
            "db.cloudtrail_logs"
        );
        assert_eq!(
            table_name("my-db.t\"x").expect("ok"),
            "\"my-db\".\"t\"\"x\""
        );
        assert!(table_name("t\nDROP").is_err());
        assert!(table_name(" ").is_err());
    }

    #[test]
    fn text_is_matched_case_insensitively_like_the_query_language() {
        // Field names and values in any case: CloudTrail's `GetObject` is found by `getobject`.
        for q in ["name:GetObject", "NAME:getobject", "EventName:GETOBJECT"] {
            assert_eq!(
                sql(Engine::Duckdb, q),
                "lower(event_name) = 'getobject'",
                "{q}"
            );
        }
        assert_eq!(
            sql(Engine::Athena, "bucket:Payroll*"),
            "lower(json_extract_scalar(requestparameters, '$.bucketName')) LIKE 'payroll%' ESCAPE '\\'"
        );
        // An exact value's `*` is a character; a glob's `_` and `%` are too.
        assert_eq!(
            sql(Engine::Duckdb, r#"key:"a\*b""#),
            "lower(object_key) = 'a*b'"
        );
        assert_eq!(
            sql(Engine::Spark, "key:*Secret_100%*"),
            "lower(object_key) LIKE '%secret\\\\_100\\\\%%'"
        );
    }

    #[test]
    fn principals_match_by_tail_unless_an_arn() {
        assert_eq!(
            sql(Engine::Duckdb, "user:Alice"),
            "(lower(principal) = 'alice' OR lower(principal) LIKE '%/alice' ESCAPE '\\' \
             OR lower(principal) LIKE '%:alice' ESCAPE '\\')"
        );
        assert_eq!(
            sql(Engine::Duckdb, "user:ARN:aws:iam::1:user/Bob"),
            "lower(principal) = 'arn:aws:iam::1:user/bob'"
        );
        assert_eq!(
            sql(Engine::Duckdb, "user:*bob"),
            "lower(principal) LIKE '%bob' ESCAPE '\\'"
        );
    }

    #[test]
    fn negation_missing_values_and_typed_fields() {
        assert_eq!(sql(Engine::Duckdb, "error:*"), "error_code IS NOT NULL");
        assert_eq!(
            sql(Engine::Duckdb, "-error:*"),
            "NOT coalesce((error_code IS NOT NULL), false)"
        );
        assert_eq!(
            sql(Engine::Duckdb, "region!=us-east-1"),
            "NOT coalesce(lower(aws_region) = 'us-east-1', false)"
        );
        assert_eq!(
            sql(Engine::Duckdb, "error:\"\""),
            "(error_code IS NULL OR error_code = '')"
        );
        assert_eq!(sql(Engine::Duckdb, "bytes_out>1.5M"), "bytes_out > 1500000");
        assert_eq!(sql(Engine::Duckdb, "bytes>=64KiB"), "bytes_out >= 65536");
        assert_eq!(
            sql(Engine::Duckdb, "outside:true"),
            "coalesce(outside_aws, false)"
        );
        assert_eq!(
            sql(Engine::Duckdb, "read_only:no"),
            "coalesce(NOT read_only, false)"
        );
        assert_eq!(
            sql(Engine::Duckdb, "time:2020-09-14"),
            "(event_time >= TIMESTAMP '2020-09-14 00:00:00' AND event_time < TIMESTAMP '2020-09-15 00:00:00')"
        );
        assert_eq!(
            sql(Engine::Athena, "time>2020-09-14T10"),
            "from_iso8601_timestamp(eventtime) >= from_iso8601_timestamp('2020-09-14T11:00:00Z')"
        );
    }

    #[test]
    fn structure_and_words() {
        assert_eq!(
            sql(Engine::Duckdb, "name:a (ip:1.2.3.4 OR ip:5.6.7.8 region:x)"),
            "lower(event_name) = 'a' AND (lower(source_ip) = '1.2.3.4' OR \
             (lower(source_ip) = '5.6.7.8' AND lower(aws_region) = 'x'))"
        );
        let w = sql(Engine::Duckdb, "ListBuckets");
        assert!(
            w.starts_with("(lower(event_name) LIKE '%listbuckets%'"),
            "{w}"
        );
        assert_eq!(
            w.matches(" LIKE ").count(),
            TEXT_SEARCH_COLUMNS.len(),
            "{w}"
        );
        assert_eq!(render(Engine::Duckdb, &Filter::All).expect("ok"), None);
    }

    #[test]
    fn ors_of_one_field_are_in_lists() {
        assert_eq!(
            sql(Engine::Duckdb, "name:GetObject OR name:HeadObject"),
            "lower(event_name) IN ('getobject', 'headobject')"
        );
        // Mixed fields, globs and principals stay ORs.
        assert!(sql(Engine::Duckdb, "name:a OR region:b").contains(" OR "));
        assert!(sql(Engine::Duckdb, "name:a OR name:b*").contains(" OR "));
        assert!(sql(Engine::Duckdb, "user:a OR user:b").contains(" OR "));
    }

    #[test]
    fn analysis_fields_have_no_sql() {
        for q in ["rule:s3-bulk-read", "level>=high", "risk:critical"] {
            let f = Query::parse(q).expect("parses");
            assert!(render(Engine::Athena, f.filter()).is_err(), "{q}");
        }
    }
}
