//! Every folder of the real third-party logs in ../shared/cloudtrail loads with counts that reconcile
//! with its SOURCE.md. Skips (with a note) when that folder is absent.

use std::collections::BTreeSet;

use crate::support::shared_cloudtrail;
use cttui::ingest::{LoadOptions, LoadReport, load};
use cttui::model::store::EventStore;
use cttui::summary::Summary;

fn load_dir(sub: &str) -> Option<(EventStore, LoadReport)> {
    let p = shared_cloudtrail(sub)?;
    Some(load(&[p.to_string_lossy().into_owned()], &LoadOptions::default()).expect("loads"))
}

fn distinct(store: &EventStore, col: &str) -> usize {
    (0..store.len())
        .filter_map(|r| store.str_at(col, r))
        .collect::<BTreeSet<_>>()
        .len()
}

fn count_where(store: &EventStore, col: &str, value: &str) -> usize {
    (0..store.len())
        .filter(|&r| store.str_at(col, r).as_deref() == Some(value))
        .count()
}

#[test]
fn grycap_reconciles() {
    let Some((store, report)) = load_dir("grycap-cloudtrail-tracker") else {
        return;
    };
    // SOURCE.md: 1,070 log files, 17,762 records, 17,600 distinct eventIDs, span 2014-05-10 .. 2018-05-09.
    assert_eq!(report.files.iter().filter(|f| f.records > 0).count(), 1070);
    assert_eq!(report.records, 17_762);
    assert_eq!(store.len() + report.duplicates, report.records);
    assert_eq!(distinct(&store, "event_id"), 17_600);
    // One placeholder eventID (11111111111111111) is reused by two different hand-edited records: both stay.
    assert_eq!(store.len(), 17_601);
    assert_eq!(count_where(&store, "event_id", "11111111111111111"), 2);
    let s = Summary::new(&store, &report);
    assert_eq!(s.first_event.as_deref(), Some("2014-05-10T16:35:47Z"));
    assert_eq!(s.last_event.as_deref(), Some("2018-05-09T15:11:24Z"));
    assert_eq!(s.principals, 117);
    assert_eq!(s.event_sources, 21);
    assert_eq!(distinct(&store, "event_name"), 293);
    // sa-east-1 files hold no duplicates, so its count matches SOURCE.md exactly.
    assert_eq!(count_where(&store, "aws_region", "sa-east-1"), 1746);
    assert_eq!(
        s.s3_data_events, 0,
        "SOURCE.md: no object-level data events"
    );
    // Only SOURCE.md itself is not a log: passed over by name, and counted.
    assert!(s.skipped.files.is_empty());
    assert_eq!(s.skipped.passed.len(), 1);
    assert!(s.skipped.passed[0].path.ends_with("SOURCE.md"));
    assert_eq!(report.bad_records(), 0);
}

#[test]
fn panther_reconciles() {
    let Some(dir) = shared_cloudtrail("panther-analysis-test-events") else {
        return;
    };
    let file = dir.join("panther_rule_test_events.json");
    let (store, report) = load(
        &[file.to_string_lossy().into_owned()],
        &LoadOptions::default(),
    )
    .expect("loads");
    // SOURCE.md: 440 events, 191 eventNames, 34 eventSources counting a missing one, eventTime
    // present on 423 (two of them "redacted" and "..."), so 19 without a usable time.
    assert_eq!(store.len(), 440);
    assert_eq!(report.duplicates, 0);
    assert_eq!(distinct(&store, "event_name"), 191);
    assert_eq!(distinct(&store, "event_source"), 33);
    assert_eq!(report.bad_times, 19);
    assert_eq!(count_where(&store, "error_code", "AccessDenied"), 32);
    // The whole folder: + 27 scenario events; the meta JSONL has no CloudTrail records.
    let (store, report) = load(
        &[dir.to_string_lossy().into_owned()],
        &LoadOptions::default(),
    )
    .expect("loads");
    assert_eq!(store.len(), 467);
    assert_eq!(report.not_records(), 440);
}

#[test]
fn cribl_reconciles() {
    let Some((store, report)) = load_dir("cribl-aws-cloudtrail-pack") else {
        return;
    };
    // The capture's 40 `_raw` documents hold the same 205 records as extracted_records.json; its
    // 50 envelopes without `_raw` are counted, not loaded.
    assert_eq!(report.records, 410);
    assert_eq!(report.duplicates, 205);
    assert_eq!(store.len(), 205);
    assert_eq!(report.not_records(), 50);
    let s = Summary::new(&store, &report);
    assert_eq!(s.principals, 15);
    assert_eq!(s.event_sources, 13);
    assert_eq!(s.first_event.as_deref(), Some("2022-01-03T19:03:01Z"));
    assert_eq!(s.last_event.as_deref(), Some("2022-01-03T20:34:41Z"));
    let regions: Vec<(String, usize)> = s
        .regions
        .iter()
        .map(|c| (c.value.clone(), c.count))
        .collect();
    assert_eq!(
        regions,
        vec![
            ("us-west-2".into(), 68),
            ("us-east-2".into(), 47),
            ("us-east-1".into(), 36),
            ("eu-west-1".into(), 28),
            ("ap-southeast-2".into(), 26)
        ]
    );
    assert_eq!(
        (0..store.len())
            .filter(|&r| store.str_at("error_code", r).is_some())
            .count(),
        11
    );
}

#[test]
fn misc_fixtures_reconcile() {
    let Some((store, report)) = load_dir("misc-small-fixtures") else {
        return;
    };
    // trailscraper 2 + openregister 4 files x 2 (the same 2 events) + cloudgrep 1 + 1 + plaso 6.
    assert_eq!(report.records, 18);
    assert_eq!(report.duplicates, 6);
    assert_eq!(store.len(), 12);
    // The deliberately broken cloudgrep file is named with its line.
    let bad = report
        .files
        .iter()
        .find(|f| f.path.ends_with("bad_cloudtrail.json"))
        .expect("bad file reported");
    assert_eq!(bad.bad_records, 1);
    assert!(bad.problems[0].line.is_some());
    // Event History times are given with a +11:00 offset and stored in UTC.
    let plaso = (0..store.len())
        .find(|&r| {
            store.str_at("event_id", r).as_deref() == Some("0828c0d2-3589-4390-b954-c78b4a7df44b")
        })
        .expect("plaso event");
    assert_eq!(
        store.str_at("user_name", plaso).as_deref(),
        Some("fakeusername")
    );
    let s = Summary::new(&store, &report);
    assert_eq!(s.s3_data_events, 1, "cloudgrep's CloudTrail PutObject");
}
