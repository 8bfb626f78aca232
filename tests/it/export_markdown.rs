//! `events --format md` parsed back: header facts, the table's cells and the raw JSON blocks match
//! the store, and hostile strings cannot inject Markdown, HTML or escape their code block.

use crate::support::{cttui, fixture, golden, markdown, stdout};

#[test]
fn events_markdown_round_trips() {
    let out = cttui(&[
        "events",
        "--format",
        "md",
        "--filter",
        "bucket:fixture-bucket",
        &fixture("records_pretty.json"),
    ]);
    assert!(out.status.success());
    let md = stdout(&out);
    golden("records_pretty_bucket.events.md", &md);
    let doc = markdown::parse(&md);
    assert!(doc.heading("cttui event export"));
    assert!(
        doc.items
            .iter()
            .any(|i| i == "Filter: bucket:fixture-bucket"),
        "{:?}",
        doc.items
    );
    assert!(doc.items.iter().any(|i| i.starts_with("Time span (UTC): 2024-03-05T10:02:00Z .. 2024-03-05T10:04:00Z")));
    let table = doc
        .table(&["#", "Time (UTC)", "Principal"])
        .expect("events table");
    // Bob's and Alice's GetObject (ListBuckets names no bucket).
    assert_eq!(table.len(), 3, "header + 2 events");
    assert_eq!(table[1][2], "arn:aws:iam::111122223333:user/bob");
    assert_eq!(table[2][2], "arn:aws:iam::111122223333:user/alice");
    assert_eq!(table[2][4], "GetObject");
    assert_eq!(table[2][9], "data/file-1.csv");
    assert_eq!(doc.code_blocks.len(), 2);
    for (info, body) in &doc.code_blocks {
        assert_eq!(info, "json");
        let v: serde_json::Value = serde_json::from_str(body).expect("raw block is JSON");
        assert_eq!(v["requestParameters"]["bucketName"], "fixture-bucket");
    }
}

#[test]
fn hostile_strings_stay_inert() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("hostile.json");
    let ua = "evil | <script>alert(1)</script> **bold** [x](http://e) \u{1b}[31m ``` ~~~";
    let key = "a`b|c\n# heading";
    let doc = serde_json::json!({"Records": [{
        "eventName": "GetObject", "eventSource": "s3.amazonaws.com", "eventTime": "2024-01-01T00:00:00Z",
        "userAgent": ua, "requestParameters": {"bucketName": "b", "key": key},
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::1:user/x"}
    }]});
    std::fs::write(&path, doc.to_string()).expect("write");
    let md = stdout(&cttui(&[
        "events",
        "--format",
        "md",
        path.to_str().expect("utf8"),
    ]));
    let parsed = markdown::parse(&md);
    assert!(
        parsed.html.is_empty(),
        "no HTML gets through: {:?}",
        parsed.html
    );
    assert_eq!(
        parsed
            .headings
            .iter()
            .filter(|(_, h)| h.contains("heading"))
            .count(),
        0
    );
    let table = parsed.table(&["#", "Time (UTC)"]).expect("table");
    assert_eq!(
        table.len(),
        2,
        "one event row, not split by the key's | or newline"
    );
    // The cell reads back as the sanitised text (the newline shown as \x0a).
    assert_eq!(table[1][9], "a`b|c\\x0a# heading");
    // The raw JSON block holds the exact record and is not closed early by the backticks.
    assert_eq!(parsed.code_blocks.len(), 1);
    let v: serde_json::Value = serde_json::from_str(&parsed.code_blocks[0].1).expect("json");
    assert_eq!(v["userAgent"], ua);
}

#[test]
fn csv_guards_formulas() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("formula.json");
    let doc = serde_json::json!({"Records": [{
        "eventName": "GetObject", "eventSource": "s3.amazonaws.com", "eventTime": "2024-01-01T00:00:00Z",
        "userAgent": "x", "requestParameters": {"bucketName": "=HYPERLINK(\"http://evil\")", "key": "+cmd"},
    }]});
    std::fs::write(&path, doc.to_string()).expect("write");
    let out = stdout(&cttui(&[
        "events",
        "--format",
        "csv",
        path.to_str().expect("utf8"),
    ]));
    let mut r = csv::Reader::from_reader(out.as_bytes());
    let headers = r.headers().expect("header").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {headers:?}"))
    };
    let row = r.records().next().expect("row").expect("csv");
    assert_eq!(&row[col("bucket")], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(&row[col("object_key")], "'+cmd");
}
