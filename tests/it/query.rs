//! The query language against a real store: each construct selects exactly the expected rows.

use crate::support::fixture;
use cttui::ingest::{LoadOptions, load};
use cttui::model::query::Query;
use cttui::model::store::EventStore;

fn store() -> EventStore {
    load(
        &[fixture("records_pretty.json"), fixture("time_formats.json")],
        &LoadOptions::default(),
    )
    .expect("loads")
    .0
}

/// The request IDs (one per event) a query selects, in store order.
fn ids(store: &EventStore, q: &str) -> Vec<String> {
    let rows = Query::parse(q)
        .expect("parses")
        .rows(store, None)
        .expect("runs");
    rows.iter()
        .map(|&r| store.str_at("request_id", r as usize).unwrap_or_default())
        .collect()
}

#[test]
fn field_terms_wildcards_and_case() {
    let s = store();
    assert_eq!(ids(&s, "name:ListBuckets"), ["REQ00003"]);
    assert_eq!(
        ids(&s, "name:listbuckets"),
        ["REQ00003"],
        "case-insensitive"
    );
    assert_eq!(ids(&s, "user:*bob"), ["REQ00002"]);
    assert_eq!(ids(&s, "name:Get*"), ["REQ00002", "REQ00001"]);
    assert_eq!(ids(&s, "source:ec2.amazonaws.com"), ["REQ00004"]);
    assert_eq!(
        ids(&s, "key:data/file-1?.csv"),
        [
            "REQ00010", "REQ00011", "REQ00012", "REQ00013", "REQ00014", "REQ00015", "REQ00016"
        ]
    );
}

#[test]
fn errors_negation_or_and_parentheses() {
    let s = store();
    assert_eq!(ids(&s, "error:*"), ["REQ00003"]);
    assert_eq!(
        ids(&s, "-error:* -name:HeadObject"),
        ["REQ00004", "REQ00002", "REQ00001"]
    );
    assert_eq!(
        ids(&s, "NOT name:HeadObject error:AccessDenied"),
        ["REQ00003"]
    );
    assert_eq!(
        ids(&s, "name:ListBuckets OR user:*bob"),
        ["REQ00002", "REQ00003"]
    );
    assert_eq!(
        ids(&s, "(name:ListBuckets OR user:*bob) -error:*"),
        ["REQ00002"]
    );
    assert_eq!(
        ids(&s, "error!=AccessDenied name:ListBuckets"),
        Vec::<String>::new()
    );
}

#[test]
fn quoted_values_and_bare_words() {
    let s = store();
    assert_eq!(
        ids(&s, r#"ua:"aws-cli/2.15.0 Python*" name:ListBuckets"#),
        ["REQ00003"]
    );
    // A bare word searches the text columns (here the principal).
    assert_eq!(ids(&s, "bob"), ["REQ00002"]);
    assert_eq!(ids(&s, "DescribeInstances"), ["REQ00004"]);
}

#[test]
fn time_and_number_comparisons() {
    let s = store();
    assert_eq!(
        ids(&s, "time>=2024-03-05T10:04 -name:HeadObject"),
        ["REQ00001"]
    );
    assert_eq!(
        ids(&s, "time<2024-03-05T10:02"),
        [
            "REQ00010", "REQ00011", "REQ00012", "REQ00013", "REQ00014", "REQ00004"
        ]
    );
    // `time:` with a minute names that whole minute.
    assert_eq!(
        ids(&s, "time:2024-03-05T10:00"),
        ["REQ00010", "REQ00011", "REQ00012", "REQ00013", "REQ00014"]
    );
    // Rows without a time sort last (REQ00015 "redacted", REQ00016 missing).
    assert_eq!(
        ids(&s, "bytes_out>1500"),
        [
            "REQ00010", "REQ00011", "REQ00012", "REQ00013", "REQ00014", "REQ00002", "REQ00003",
            "REQ00015", "REQ00016"
        ]
    );
    assert_eq!(
        ids(&s, "bytes_out>=10k bytes_out<=11000"),
        ["REQ00010", "REQ00011"]
    );
    assert_eq!(ids(&s, "bytes_out:2000"), ["REQ00002"]);
    assert_eq!(
        ids(&s, "read_only:true name:DescribeInstances"),
        ["REQ00004"]
    );
}

#[test]
fn within_restricts_to_a_view() {
    let s = store();
    let base = Query::parse("name:GetObject")
        .expect("q")
        .rows(&s, None)
        .expect("rows");
    let within = Query::parse("user:*alice")
        .expect("q")
        .rows(&s, Some(&base))
        .expect("rows");
    assert_eq!(within.len(), 1);
    assert_eq!(
        s.str_at("request_id", within[0] as usize).as_deref(),
        Some("REQ00001")
    );
}

#[test]
fn cli_rejects_a_bad_filter_before_loading() {
    let out = crate::support::cttui(&[
        "events",
        "--filter",
        "name:X (",
        &fixture("records_pretty.json"),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("query syntax error at column"), "{err}");
}

#[test]
fn a_principal_matches_by_the_short_name_the_tables_show() {
    let s = store();
    let full = ids(&s, "user:arn:aws:iam::111122223333:user/bob");
    assert_eq!(full, ["REQ00002"]);
    assert_eq!(ids(&s, "user:user/bob"), full);
    assert_eq!(ids(&s, "user:bob"), full);
    assert_eq!(ids(&s, "user:USER/BOB"), full);
    // A tail must start at a ':' or '/' boundary.
    assert_eq!(ids(&s, "user:ob"), Vec::<String>::new());
    assert_eq!(ids(&s, "user:user/al* name:GetObject"), ["REQ00001"]);
}

#[test]
fn built_filters_run_like_their_text() {
    use cttui::model::query::{Field, Filter};
    let s = store();
    let built = Filter::all([
        Filter::is(Field::User, "arn:aws:iam::111122223333:user/alice"),
        Filter::any([
            Filter::is(Field::Name, "ListBuckets"),
            Filter::like(Field::Key, "data/file-1?.csv"),
        ]),
        Filter::present(Field::Error).not(),
    ]);
    let q = Query::new(built.clone()).expect("valid");
    let by_value = q.rows(&s, None).expect("runs");
    let by_text = Query::parse(&built.to_string())
        .expect("its text parses")
        .rows(&s, None)
        .expect("runs");
    assert_eq!(by_value, by_text);
    assert_eq!(by_value.len(), 7, "{built}");
    assert_eq!(
        Query::parse(&built.to_string()).expect("p").filter(),
        &built
    );
}

#[test]
fn many_bare_words_compile_and_run() {
    // Thousands of words (issue 9: 8,000 took 25 s through nested polars expressions).
    let s = store();
    let words: Vec<String> = (0..8000).map(|i| format!("w{i}")).collect();
    let q = Query::parse(&words.join(" ")).expect("parses");
    assert!(q.rows(&s, None).expect("runs").is_empty());
    let q = Query::parse(&format!("{} OR bob", words[..1000].join(" OR "))).expect("parses");
    assert_eq!(q.rows(&s, None).expect("runs").len(), 1);
}

#[test]
fn deep_nesting_is_a_clear_error() {
    for open in ["(", "NOT ", "-"] {
        let q = format!(
            "{}name:x{}",
            open.repeat(10_000),
            if open == "(" {
                ")".repeat(10_000)
            } else {
                String::new()
            }
        );
        let e = Query::parse(&q).expect_err("too deep");
        assert!(e.to_string().contains("nested deeper"), "{e}");
    }
}

#[test]
fn rule_level_and_risk_read_the_annotations() {
    use cttui::model::query::{Annotations, RuleHit};
    let s = store();
    let q = Query::parse("rule:s3-*").expect("parses");
    assert!(q.needs_analysis());
    let e = q.rows(&s, None).expect_err("no analysis");
    assert!(e.to_string().contains("analysis"), "{e}");
    let mut risk = vec![None; s.len()];
    risk[0] = Annotations::rank("high");
    risk[1] = Annotations::rank("low");
    let ann = Annotations {
        risk,
        hits: vec![
            RuleHit {
                rule: "s3-bulk-read".into(),
                level: Annotations::rank("medium").expect("level"),
                rows: vec![2, 3],
            },
            RuleHit {
                rule: "iam-recon".into(),
                level: Annotations::rank("critical").expect("level"),
                rows: vec![3, 4],
            },
        ],
    };
    let run = |q: &str| {
        Query::parse(q)
            .expect("parses")
            .rows_annotated(&s, None, Some(&ann))
            .expect("runs")
    };
    assert_eq!(run("rule:s3-*"), [2, 3]);
    assert_eq!(run("rule:IAM-RECON"), [3, 4]);
    assert_eq!(run("level>=high"), [3, 4]);
    assert_eq!(run("level:medium"), [2, 3]);
    assert_eq!(run("risk:high"), [0]);
    assert_eq!(run("risk>=low"), [0, 1]);
    assert_eq!(run("risk>=low -rule:*").len(), 2);
    assert_eq!(run("-rule:*").len(), s.len() - 3);
}
