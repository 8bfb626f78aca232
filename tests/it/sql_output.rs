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
    .expect("target")
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
        // Text is compared lower-cased (as cttui's filters do), so the bound value is too.
        assert!(
            lits.iter().any(|l| *l == HOSTILE.to_lowercase()),
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
            "getobject",
        ] {
            assert!(
                lits.iter().any(|l| l == want),
                "{e:?}: {want} missing in {sql}"
            );
        }
        assert!(sql.contains("GROUP BY"), "{sql}");
        match e {
            Engine::Athena => {
                assert!(sql.contains("FROM \"/data/ct\""), "{sql}");
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
                        "lower(json_extract_scalar(requestparameters, '$.bucketName')) = 'acme-data'"
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
                assert!(
                    sql.contains("event_time >= TIMESTAMP '2020-09-14 00:00:00'"),
                    "{sql}"
                );
                assert!(
                    sql.contains("event_time < TIMESTAMP '2020-09-16 00:00:00'"),
                    "{sql}"
                );
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
    assert!(text.contains("lower(principal) = 'arn:aws:sts::"), "{text}");
    assert!(text.contains("coalesce(outside_aws, false)"), "{text}");
    // A suspect typed in another case is bound in the log's spelling, with the same pivots.
    let suggested = text
        .lines()
        .find_map(|l| l.strip_prefix("-- suspect: "))
        .expect("suspect line")
        .to_owned();
    let shouted = cttui(&[
        "sql",
        "--engine",
        "duckdb",
        "--table",
        "ds",
        "--suspect",
        &suggested.to_uppercase(),
        logs,
    ]);
    assert!(
        shouted.contains(&format!("-- suspect: {suggested}\n")),
        "{shouted}"
    );
    for id in ["-- addresses:", "-- keys:", "-- triage Q5:"] {
        assert!(shouted.contains(id), "{id} missing:\n{shouted}");
    }
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

/// A suspect and bucket carrying every kind of hostile byte: quotes, backslashes, a newline that
/// would end a `--` comment, ESC, a C1 control, DEL, a bidi override and SQL that would run if the
/// quoting broke.
const NASTY: &str = "arn:aws:iam::111122223333:user/O'Brien\\'); DROP TABLE t; --\n\u{1b}[2J\u{9b}\u{7f}\u{202e}x\"y";
const NASTY_BUCKET: &str = "b'\\\r\n' OR '1'='1";

#[test]
fn hostile_pins_are_bound_as_one_literal_with_every_byte_escaped() {
    let p = Pins {
        suspect: Some(NASTY.to_owned()),
        suspect_ip: Some("203.0.113.7'--".to_owned()),
        bucket: Some(NASTY_BUCKET.to_owned()),
        window: None,
    };
    for e in ENGINES {
        let qs = playbook_queries(&target(e), &p).expect("queries");
        let q8 = qs.iter().find(|q| q.id == "q8").expect("q8");
        let sql = q8.sql.as_deref().expect("q8 is bound");
        let lits = literals(e, sql);
        for want in [NASTY, NASTY_BUCKET, "203.0.113.7'--"] {
            assert!(
                lits.iter().any(|l| *l == want.to_lowercase()),
                "{e:?}: {want:?} is not one literal: {lits:?}\n{sql}"
            );
        }
        let all = script(&target(e), &p, &qs);
        for (i, ch) in all.chars().enumerate() {
            assert!(
                ch == '\n' || !cttui::text::is_unsafe(ch),
                "{e:?}: raw {ch:?} at {i} in the output"
            );
        }
        // Every line is a comment, SQL cttui wrote, or blank: no value starts a line of its own.
        for line in all.lines() {
            assert!(
                !line.contains("DROP TABLE") || line.starts_with("-- ") || line.contains("'"),
                "{e:?}: {line}"
            );
        }
        // Statements end where cttui ends them: one `;` per bound query, at a line's end.
        let bound = qs.iter().filter(|q| q.sql.is_some()).count();
        assert_eq!(
            all.lines()
                .filter(|l| l.ends_with(';') && !l.starts_with("--"))
                .count(),
            bound,
            "{e:?}"
        );
        match e {
            // Quotes doubled, controls as chr(n): the newline is `chr(10)`, ESC `chr(27)`.
            Engine::Athena | Engine::Duckdb => {
                assert!(sql.contains("o''brien\\''); drop table t; --' || chr(10) || chr(27) || '[2j' || chr(155) || chr(127) || chr(8238) || 'x\"y'"), "{sql}");
            }
            // Backslash escapes: `\'`, `\\` and `\u000a`.
            Engine::Spark => {
                assert!(sql.contains("o\\'brien\\\\\\'); drop table t; --\\u000a\\u001b[2j\\u009b\\u007f\\u202ex\"y'"), "{sql}");
            }
        }
    }
}

#[test]
fn pins_and_field_names_match_in_any_case() {
    let lower = Pins {
        suspect: Some("arn:aws:iam::111122223333:user/thief".into()),
        suspect_ip: None,
        bucket: Some("acme-data".into()),
        window: None,
    };
    let upper = Pins {
        suspect: Some("ARN:AWS:IAM::111122223333:USER/Thief".into()),
        bucket: Some("ACME-Data".into()),
        ..lower.clone()
    };
    for e in ENGINES {
        let a = playbook_queries(&target(e), &lower).expect("queries");
        let b = playbook_queries(&target(e), &upper).expect("queries");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(
                x.sql, y.sql,
                "{e:?} {}: the case of a pin changes the SQL",
                x.id
            );
        }
        // CloudTrail's event names are case-sensitive; the comparison is made on lower case so
        // `GetObject` and `getobject` select the same events, as in cttui.
        let q8 = a
            .iter()
            .find(|q| q.id == "q8")
            .and_then(|q| q.sql.clone())
            .expect("q8");
        let name = cttui::sql::dialect::column(e, "event_name");
        assert!(q8.contains(&format!("lower({name}) = 'getobject'")), "{q8}");
    }
    // Field names in any case are the same field.
    let f = |q: &str| {
        cttui::sql::dialect::render(
            Engine::Duckdb,
            cttui::model::query::Query::parse(q)
                .expect("parses")
                .filter(),
        )
        .expect("renders")
    };
    assert_eq!(
        f("NAME:GetObject Bucket:ACME"),
        f("name:getobject bucket:acme")
    );
}

/// A Python that can `import duckdb`, if any: `$CTTUI_PYTHON`, `python3`, the project's venv.
fn duckdb_python() -> Option<String> {
    let mut candidates: Vec<String> = std::env::var("CTTUI_PYTHON").into_iter().collect();
    candidates
        .extend(["python3", "../venv/bin/python", "../../venv/bin/python"].map(str::to_owned));
    candidates.into_iter().find(|py| {
        std::process::Command::new(py)
            .args(["-c", "import duckdb"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Runs each statement in DuckDB: (rows, sum of the `events` column or 0).
fn run_duckdb(py: &str, statements: &[String]) -> Vec<(i64, i64)> {
    let tmp = tempfile::tempdir().expect("tmp");
    let input = tmp.path().join("statements.json");
    std::fs::write(&input, serde_json::to_vec(statements).expect("json")).expect("write");
    let code = r#"
import duckdb, json, sys
con = duckdb.connect()
out = []
for s in json.load(open(sys.argv[1])):
    s = s.rstrip().rstrip(';')
    cols = [d[0] for d in con.execute(f"SELECT * FROM ({s}) LIMIT 0").description]
    agg = "coalesce(sum(events), 0)" if "events" in cols else "0"
    out.append(con.execute(f"SELECT count(*), {agg} FROM ({s})").fetchone())
print(json.dumps(out))
"#;
    let out = std::process::Command::new(py)
        .args(["-c", code])
        .arg(&input)
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "DuckDB failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("counts")
}

/// The script's queries: (id, filter text, SQL) for each bound one.
fn statements(script: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let (mut id, mut filter, mut sql) = (String::new(), String::new(), String::new());
    for line in script.lines() {
        if let Some(rest) = line.strip_prefix("-- filter: ") {
            filter = rest.to_owned();
        } else if let Some(rest) = line.strip_prefix("-- ") {
            if let Some((i, _)) = rest.split_once(": ") {
                id = i.to_owned();
            }
        } else if !line.is_empty() {
            sql.push_str(line);
            sql.push('\n');
            if line.ends_with(';') {
                out.push((id.clone(), filter.clone(), std::mem::take(&mut sql)));
            }
        }
    }
    out
}

#[test]
fn duckdb_gives_the_answers_cttui_gives() {
    let Some(py) = duckdb_python() else {
        eprintln!("SKIP: no Python with the duckdb package (set CTTUI_PYTHON)");
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let logs = tmp.path().join("logs");
    let logs = logs.to_str().expect("utf8");
    let ds = tmp.path().join("ds");
    let ds = ds.to_str().expect("utf8");
    cttui(&["demo", "--events", "2000", logs]);
    cttui(&["convert", logs, "-o", ds]);
    let text = cttui(&[
        "sql",
        "--engine",
        "duckdb",
        "--table",
        ds,
        "--since",
        "2024-04-14",
        "--until",
        "2024-04-16",
        logs,
    ]);
    let stmts = statements(&text);
    assert!(stmts.len() >= 20, "{text}");
    let (store, _) = cttui::ingest::load(&[logs.to_owned()], &Default::default()).expect("load");
    let playbook = cttui::playbook::Playbook::builtin().expect("playbook");
    let counts = run_duckdb(&py, &stmts.iter().map(|s| s.2.clone()).collect::<Vec<_>>());
    let mut nonzero = 0;
    for ((id, filter, sql), (rows, events)) in stmts.iter().zip(counts) {
        let local = cttui::model::query::Query::parse(filter)
            .and_then(|q| q.rows(&store, None))
            .expect("the filter runs locally");
        let spec = playbook.queries.iter().find(|q| q.id == *id);
        let group_by: Vec<String> = match (spec, id.as_str()) {
            (Some(s), _) => s.group_by.clone(),
            (None, "addresses" | "keys") => vec!["principal".into(), "event_name".into()],
            (None, _) => Vec::new(),
        };
        if group_by.is_empty() {
            assert_eq!(rows as usize, local.len(), "{id}: {filter}\n{sql}");
        } else {
            let having = spec.and_then(|s| s.having).unwrap_or(0);
            let groups = cttui::playbook::queries::aggregate(&store, &local, &group_by, having);
            assert_eq!(rows as usize, groups.len(), "{id} groups: {filter}\n{sql}");
            let sum: usize = groups.iter().map(|g| g.count).sum();
            assert_eq!(events as usize, sum, "{id} events: {filter}\n{sql}");
        }
        nonzero += usize::from(rows > 0);
    }
    assert!(nonzero >= 10, "most queries select something on the demo");

    // Hostile pins run as values: the statements parse, and select nothing.
    let text = cttui(&[
        "sql",
        "--engine",
        "duckdb",
        "--table",
        ds,
        "--suspect",
        NASTY,
        "--bucket",
        NASTY_BUCKET,
    ]);
    let stmts = statements(&text);
    let bound: Vec<String> = stmts
        .iter()
        .filter(|(_, f, _)| f.contains("user:") || f.contains("bucket:"))
        .map(|s| s.2.clone())
        .collect();
    assert!(bound.len() >= 5, "{text}");
    for (rows, _) in run_duckdb(&py, &bound) {
        assert_eq!(rows, 0, "a hostile pin selected rows:\n{text}");
    }
}
