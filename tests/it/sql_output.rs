//! `cttui sql`: the playbook's queries bound to the pins and window, per engine, with hostile
//! values quoted so they stay one literal.
use cttui::playbook::Pins;
use cttui::sql::{Engine, Target, playbook_queries, script};

const HOSTILE: &str = "arn:aws:iam::111122223333:user/o'brien\\\" OR 1=1 --\nx";
const ENGINES: [Engine; 3] = [Engine::Athena, Engine::Duckdb, Engine::Spark];

fn target(e: Engine) -> Target {
    Target::new(
        e,
        Some("/data/ct"),
        vec!["region".into(), "source".into(), "date".into()],
    )
}

/// The string literals of a statement, decoded by the engine's rules: `''` doubling and
/// `chr(n)` concatenation (Athena, DuckDB) or backslash escapes (Spark). Panics on an unclosed
/// literal.
fn literals(e: Engine, sql: &str) -> Vec<String> {
    let c: Vec<char> = sql.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    // A literal after `|| chr(n) || ` continues the previous value.
    let mut joined = false;
    while i < c.len() {
        if c[i] == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                assert!(i < c.len(), "unclosed literal in {sql}");
                match (e, c[i]) {
                    (Engine::Spark, '\\') => match c[i + 1] {
                        'u' => {
                            let hex: String = c[i + 2..i + 6].iter().collect();
                            let n = u32::from_str_radix(&hex, 16).expect("hex");
                            s.push(char::from_u32(n).expect("char"));
                            i += 6;
                        }
                        other => {
                            s.push(other);
                            i += 2;
                        }
                    },
                    (_, '\'') if e != Engine::Spark && c.get(i + 1) == Some(&'\'') => {
                        s.push('\'');
                        i += 2;
                    }
                    (_, '\'') => {
                        i += 1;
                        break;
                    }
                    (_, ch) => {
                        s.push(ch);
                        i += 1;
                    }
                }
            }
            match out.last_mut() {
                Some(last) if joined => last.push_str(&s),
                _ => out.push(s),
            }
            joined = false;
            continue;
        }
        let rest: String = c[i..].iter().take(16).collect();
        if let Some(tail) = rest.strip_prefix(" || chr(") {
            let num: String = tail.chars().take_while(char::is_ascii_digit).collect();
            let ch = char::from_u32(num.parse().expect("chr number")).expect("char");
            if let Some(last) = out.last_mut() {
                last.push(ch);
            }
            i += " || chr(".len() + num.len() + 1;
            joined = c[i..].iter().take(5).collect::<String>() == " || '";
            if joined {
                i += 4;
            }
            continue;
        }
        i += 1;
    }
    out
}

fn pins() -> Pins {
    Pins {
        suspect: Some(HOSTILE.to_owned()),
        suspect_ip: None,
        bucket: Some("acme-data".into()),
        window: None,
    }
}

#[test]
fn hostile_suspect_stays_one_literal_in_every_engine() {
    for e in ENGINES {
        let qs = playbook_queries(&target(e), &pins()).expect("queries");
        let q7 = qs.iter().find(|q| q.id == "q7").expect("q7");
        let sql = q7.sql.as_deref().expect("q7 is bound");
        let lits = literals(e, sql);
        assert!(
            lits.iter().any(|l| l == HOSTILE),
            "{e:?}: the ARN is not one literal: {lits:?}\n{sql}"
        );
        let all = script(&target(e), &pins(), &qs);
        for ch in all.chars() {
            assert!(
                ch == '\n' || !ch.is_control(),
                "{e:?}: raw control character {ch:?} in the output"
            );
        }
        // The newline inside the value never starts an output line.
        assert!(!all.lines().any(|l| l.starts_with("x'")), "{e:?}");
    }
}

#[test]
fn queries_bind_the_pins_and_window() {
    let mut p = pins();
    p.suspect = Some("arn:aws:iam::111122223333:user/thief".into());
    p.window = Some((
        cttui::ingest::parquet::parse_since("2020-09-14").expect("t"),
        cttui::ingest::parquet::parse_until("2020-09-15").expect("t"),
    ));
    for e in ENGINES {
        let qs = playbook_queries(&target(e), &p).expect("queries");
        assert_eq!(qs.len(), 12);
        let q8 = qs.iter().find(|q| q.id == "q8").expect("q8");
        let sql = q8.sql.as_deref().expect("q8 bound");
        let lits = literals(e, sql);
        for want in [
            "arn:aws:iam::111122223333:user/thief",
            "acme-data",
            "GetObject",
        ] {
            assert!(
                lits.iter().any(|l| l == want),
                "{e:?}: {want} missing in {sql}"
            );
        }
        assert!(sql.contains("GROUP BY"), "{sql}");
        match e {
            Engine::Athena => {
                assert!(sql.contains("FROM /data/ct"), "{sql}");
                assert!(
                    sql.contains("\"timestamp\" BETWEEN '2020/09/14' AND '2020/09/15'"),
                    "{sql}"
                );
                assert!(
                    sql.contains("from_iso8601_timestamp('2020-09-14T00:00:00Z')"),
                    "{sql}"
                );
                assert!(
                    sql.contains(
                        "json_extract_scalar(requestparameters, '$.bucketName') = 'acme-data'"
                    ),
                    "{sql}"
                );
            }
            Engine::Duckdb => {
                assert!(
                    sql.contains("read_parquet('/data/ct/**/*.parquet', hive_partitioning = true)"),
                    "{sql}"
                );
                assert!(
                    sql.contains("date BETWEEN '2020-09-14' AND '2020-09-15'"),
                    "{sql}"
                );
                assert!(sql.contains("TIMESTAMP '2020-09-15 23:59:59.999'"), "{sql}");
            }
            Engine::Spark => {
                assert!(sql.contains("FROM parquet.`/data/ct`"), "{sql}");
                assert!(
                    sql.contains("date BETWEEN '2020-09-14' AND '2020-09-15'"),
                    "{sql}"
                );
            }
        }
        // q3 keeps its threshold; q10 cannot be answered from CloudTrail.
        let q3 = qs.iter().find(|q| q.id == "q3").expect("q3");
        assert!(
            q3.sql
                .as_deref()
                .expect("q3")
                .contains("HAVING count(*) > 100")
        );
        let q10 = qs.iter().find(|q| q.id == "q10").expect("q10");
        assert!(q10.sql.is_none() && q10.note.is_some());
        // The S3 queries prune to the dataset's source partition (Athena's table has none).
        let q1 = qs
            .iter()
            .find(|q| q.id == "q1")
            .and_then(|q| q.sql.clone())
            .expect("q1");
        assert_eq!(
            q1.contains("source IN ('s3.amazonaws.com')"),
            e != Engine::Athena,
            "{q1}"
        );
    }
}

#[test]
fn missing_pins_are_named_not_guessed() {
    let qs = playbook_queries(&target(Engine::Athena), &Pins::default()).expect("queries");
    let q8 = qs.iter().find(|q| q.id == "q8").expect("q8");
    assert!(q8.sql.is_none());
    let note = q8.note.as_deref().expect("note");
    assert!(
        note.contains("suspect") && note.contains("bucket"),
        "{note}"
    );
    assert!(qs.iter().find(|q| q.id == "q9").expect("q9").sql.is_some());
}

fn cttui(args: &[&str]) -> String {
    crate::support::cttui_ok(&[args, &["-q"]].concat())
}

#[test]
fn the_command_fills_in_what_the_local_analysis_found() {
    let tmp = tempfile::tempdir().expect("tmp");
    let logs = tmp.path().join("logs");
    let logs = logs.to_str().expect("utf8");
    cttui(&["demo", "--events", "1500", logs]);
    let text = cttui(&["sql", "--engine", "duckdb", "--table", "ds", logs]);
    // The 12 queries, the triage evidence and the pivots on the suspect's addresses and keys.
    for id in [
        "-- q1:",
        "-- q12:",
        "-- triage Q1:",
        "-- triage Q6:",
        "-- addresses:",
        "-- keys:",
    ] {
        assert!(text.contains(id), "{id} missing:\n{text}");
    }
    // The suggested suspect (the demo's thief, an EC2 role used from outside) is bound.
    assert!(text.contains("principal = 'arn:aws:sts::"), "{text}");
    assert!(text.contains("coalesce(outside_aws, false)"), "{text}");
    // An explicit suspect overrides the suggestion.
    let text = cttui(&[
        "sql",
        "--engine",
        "athena",
        "--suspect",
        "arn:aws:iam::1:user/x",
        logs,
    ]);
    assert!(text.contains("= 'arn:aws:iam::1:user/x'"), "{text}");
}
