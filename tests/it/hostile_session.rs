//! A large session full of stale marks (from another input) opens in linear time: marks are
//! resolved through one eventID index, stale ones dropped.
use cttui::ingest::{LoadOptions, load};
use cttui::playbook::session::{MarkRef, Session};

#[test]
fn twenty_thousand_stale_marks_resolve_in_linear_time() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("many.jsonl");
    let n = 20_000;
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "{{\"eventTime\":\"2024-01-01T00:00:{:02}Z\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"eventID\":\"e{i}\"}}\n",
            i % 60
        ));
    }
    std::fs::write(&path, text).expect("write");
    let (store, _) = load(
        &[path.to_string_lossy().into_owned()],
        &LoadOptions::default(),
    )
    .expect("loads");
    let mut session = Session::new();
    // 20,000 marks whose rows and eventIDs match nothing, and two that moved rows.
    session.marks = (0..20_000)
        .map(|i| MarkRef {
            row: (i % n) as u32,
            event_id: Some(format!("gone-{i}")),
        })
        .collect();
    let moved = store.str_at("event_id", 7).expect("id");
    session.marks.push(MarkRef {
        row: 3,
        event_id: Some(moved),
    });
    session.marks.push(MarkRef {
        row: 5,
        event_id: None,
    });
    let started = std::time::Instant::now();
    let rows = session.resolve_marks(&store);
    let took = started.elapsed();
    assert_eq!(rows, vec![5, 7]);
    // The old per-mark scan did 20,000 x 20,000 lookups (minutes in a debug build).
    assert!(took.as_secs() < 10, "{took:?}");
}
