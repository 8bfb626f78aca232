//! The query language against a real store: each construct selects exactly the expected rows.
mod common;

use common::fixture;
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
    let out = common::cttui(&[
        "events",
        "--filter",
        "name:X (",
        &fixture("records_pretty.json"),
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("query syntax error at column"), "{err}");
}
