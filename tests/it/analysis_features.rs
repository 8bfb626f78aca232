//! Feature tests against hand-computed fixtures, S3 classification and the region summary.

use std::f64::consts::TAU;

use crate::support::records::*;
use cttui::analysis::features::EntityKind;
use cttui::analysis::{AnalysisOptions, analyze};
use serde_json::json;

const D: i64 = 1_709_510_400; // 2024-03-04T00:00:00Z

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn principal_and_window_features_by_hand() {
    let ua1 = "aws-cli/2.13.0 Python/3.11.4";
    let ua2 = "Boto3/1.34.0 Python/3.12";
    let rec = |secs: i64, src: &str, name: &str, ip: &str, ua: &str| {
        record(&t(D + secs), src, name, iam_user("hand"), ip, ua)
    };
    let get = |secs: i64, bytes: i64| {
        let r = rec(secs, "s3.amazonaws.com", "GetObject", "198.51.100.1", ua1);
        let r = with(r, "readOnly", json!(true));
        with(r, "additionalEventData.bytesTransferredOut", json!(bytes))
    };
    let mut denied = rec(
        9 * 3600 + 70,
        "iam.amazonaws.com",
        "CreateAccessKey",
        "198.51.100.1",
        ua1,
    );
    denied["errorCode"] = json!("AccessDenied");
    denied["readOnly"] = json!(false);
    // The next day at 23:30: more than a day of history, so its address and agent count as new.
    let mut late = rec(
        86_400 + 23 * 3600 + 1800,
        "ec2.amazonaws.com",
        "DescribeInstances",
        "203.0.113.5",
        ua2,
    );
    late["awsRegion"] = json!("eu-west-1");
    // No readOnly field: read-only by its name.
    let recs = vec![
        get(9 * 3600, 100),      // 09:00:00
        get(9 * 3600 + 30, 200), // 09:00:30, same minute
        denied,                  // 09:01:10
        late,                    // next day 23:30:00, another hour, region, address and agent
    ];
    let store = load_records(&recs);
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    let p = a
        .principals
        .iter()
        .find(|p| p.principal == user("hand"))
        .expect("principal");
    let f = &p.features;
    assert_eq!(f.events, 4);
    assert_eq!(f.first, Some((D + 9 * 3600) * 1000));
    assert_eq!(f.last, Some((D + 86_400 + 23 * 3600 + 1800) * 1000));
    assert!(close(f.span_secs, (86_400 + 14 * 3600 + 1800) as f64));
    assert_eq!(f.active_minutes, 3); // 09:00, 09:01, 23:30
    assert!(close(f.rate_per_active_minute, 4.0 / 3.0));
    assert_eq!(f.peak_per_minute, 2);
    assert_eq!(
        (
            f.services,
            f.event_names,
            f.user_agents,
            f.source_ips,
            f.regions
        ),
        (3, 3, 2, 2, 2)
    );
    assert_eq!((f.failures, f.access_denied), (1, 1));
    assert!(close(f.failure_rate, 0.25) && close(f.access_denied_share, 0.25));
    let hours: [f64; 4] = [9.0, 9.0 + 30.0 / 3600.0, 9.0 + 70.0 / 3600.0, 23.5];
    let sin = hours.iter().map(|h| (h * TAU / 24.0).sin()).sum::<f64>() / 4.0;
    let cos = hours.iter().map(|h| (h * TAU / 24.0).cos()).sum::<f64>() / 4.0;
    assert!(close(f.hour_sin, sin) && close(f.hour_cos, cos));
    assert!(close(f.off_hours_share, 0.25)); // 23:30 is outside 07-19 UTC
    assert!(close(f.read_only_share, 0.75)); // two GetObject (field) + DescribeInstances (name)
    assert_eq!((f.get_object, f.bytes_out), (2, 300));
    assert_eq!(f.sensitive_calls, 1); // CreateAccessKey
    assert_eq!(f.exclusive_ips, 2); // nobody else in this log
    assert_eq!(f.exclusive_user_agents, 2);

    // Two one-hour windows: 09:00 (3 events) and the next day's 23:00 (1 event, new address and
    // agent).
    let e = p.entity as usize;
    let ws = a.table.windows_of(e);
    assert_eq!(ws.len(), 2);
    assert_eq!(ws[0].start, (D + 9 * 3600) * 1000);
    assert_eq!(
        (
            ws[0].features.events,
            ws[0].features.get_object,
            ws[0].features.failures
        ),
        (3, 2, 1)
    );
    assert_eq!(
        ws[0].features.exclusive_ips, 0,
        "the first window has nothing to be new against"
    );
    assert_eq!(ws[1].start, (D + 86_400 + 23 * 3600) * 1000);
    assert_eq!(ws[1].features.events, 1);
    assert_eq!(
        (
            ws[1].features.exclusive_ips,
            ws[1].features.exclusive_user_agents
        ),
        (1, 1)
    );
    assert_eq!(a.table.window_rows(&ws[0]).len(), 3);

    // Window length is configurable: two 1-day windows.
    let opts = AnalysisOptions {
        window_secs: 86_400,
        ..AnalysisOptions::default()
    };
    let a = analyze(&store, &opts).expect("analysis");
    let p = a
        .principals
        .iter()
        .find(|p| p.principal == user("hand"))
        .expect("principal");
    assert_eq!(a.table.windows_of(p.entity as usize).len(), 2);

    // The same late event on the first day is within the first day of history: nothing is new.
    let mut early = recs.clone();
    early[3]["eventTime"] = json!(t(D + 23 * 3600 + 1800));
    let a = analyze(&load_records(&early), &AnalysisOptions::default()).expect("analysis");
    let p = a
        .principals
        .iter()
        .find(|p| p.principal == user("hand"))
        .expect("principal");
    let ws = a.table.windows_of(p.entity as usize);
    assert_eq!(ws.len(), 2);
    assert_eq!(
        (
            ws[1].features.exclusive_ips,
            ws[1].features.exclusive_user_agents
        ),
        (0, 0)
    );
}

#[test]
fn grouping_by_source_ip() {
    let recs = vec![
        record(
            &t(D + 3600),
            "sts.amazonaws.com",
            "GetCallerIdentity",
            iam_user("a"),
            "198.51.100.7",
            "x",
        ),
        record(
            &t(D + 3601),
            "sts.amazonaws.com",
            "GetCallerIdentity",
            iam_user("b"),
            "198.51.100.7",
            "x",
        ),
        record(
            &t(D + 3602),
            "sts.amazonaws.com",
            "GetCallerIdentity",
            iam_user("b"),
            "198.51.100.8",
            "x",
        ),
    ];
    let store = load_records(&recs);
    let opts = AnalysisOptions {
        entity: EntityKind::SourceIp,
        ..AnalysisOptions::default()
    };
    let a = analyze(&store, &opts).expect("analysis");
    let p = a
        .principals
        .iter()
        .find(|p| p.principal == "198.51.100.7")
        .expect("ip");
    assert_eq!(p.features.events, 2);
    assert_eq!(a.principals.len(), 2);
    assert!(
        a.model
            .notes
            .iter()
            .any(|n| n.contains("too few even for robust statistics")),
        "{:?}",
        a.model.notes
    );
    assert!(a.principals.iter().all(|p| p.score.is_none()));
}

#[test]
fn s3_classification_and_buckets() {
    let s3 = |secs: i64, name: &str, bucket: Option<&str>| {
        let r = record(
            &t(D + secs),
            "s3.amazonaws.com",
            name,
            iam_user("s3user"),
            "198.51.100.1",
            "x",
        );
        match bucket {
            Some(b) => with(r, "requestParameters.bucketName", json!(b)),
            None => r,
        }
    };
    let mut recs = vec![
        with(
            s3(10, "GetObject", Some("b1")),
            "additionalEventData.bytesTransferredOut",
            json!(1000),
        ),
        with(
            s3(20, "GetObject", Some("b1")),
            "additionalEventData.bytesTransferredOut",
            json!(500),
        ),
        s3(30, "PutBucketPolicy", Some("b1")),
        s3(40, "ListBuckets", None),
        s3(50, "HeadBucket", Some("b2")),
        s3(60, "SomeFutureObjectApi", Some("b2")),
        // The record says what it is: its word wins over the table.
        with(
            s3(70, "SomeFutureObjectApi", Some("b2")),
            "eventCategory",
            json!("Data"),
        ),
        with(
            s3(80, "GetObject", Some("b2")),
            "managementEvent",
            json!(true),
        ),
        record(
            &t(D + 90),
            "ec2.amazonaws.com",
            "DescribeInstances",
            iam_user("s3user"),
            "198.51.100.1",
            "x",
        ),
    ];
    let mut failed = s3(100, "DeleteBucketPublicAccessBlock", Some("b1"));
    failed["errorCode"] = json!("AccessDenied");
    recs.push(failed);
    let store = load_records(&recs);
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    let s = &a.s3;
    assert_eq!(s.events, 9);
    assert_eq!(
        (s.data_events, s.management_events, s.unknown_events),
        (3, 5, 1)
    );
    assert_eq!(s.classified_by_record, 2);
    assert_eq!(s.unknown_names.len(), 1);
    assert_eq!(
        (s.unknown_names[0].value.as_str(), s.unknown_names[0].count),
        ("SomeFutureObjectApi", 1)
    );
    assert_eq!(
        s.data_rows.len() + s.management_rows.len() + s.unknown_rows.len(),
        9
    );
    let b1 = s.buckets.iter().find(|b| b.bucket == "b1").expect("b1");
    assert_eq!((b1.events, b1.data_events, b1.management_events), (4, 2, 2));
    assert_eq!(
        (
            b1.get_object,
            b1.bytes_out,
            b1.exposure_changes,
            b1.failures
        ),
        (2, 1500, 2, 1)
    );
    assert_eq!(
        (b1.first, b1.last),
        (Some((D + 10) * 1000), Some((D + 100) * 1000))
    );
    let b2 = s.buckets.iter().find(|b| b.bucket == "b2").expect("b2");
    assert_eq!((b2.events, b2.get_object), (4, 1));
    assert_eq!(s.exposure_changes.len(), 2);
    assert_eq!(s.exposure_changes[0].event_name, "PutBucketPolicy");
    assert_eq!(
        s.exposure_changes[1].error_code.as_deref(),
        Some("AccessDenied")
    );
}

#[test]
fn regions_and_single_use() {
    let call = |secs: i64, who: &str, region: &str| {
        let r = record(
            &t(D + secs),
            "ec2.amazonaws.com",
            "DescribeInstances",
            iam_user(who),
            "198.51.100.1",
            "x",
        );
        with(r, "awsRegion", json!(region))
    };
    let mut recs = Vec::new();
    for k in 0..5 {
        recs.push(call(k * 60, "alice", "us-east-1"));
        recs.push(call(k * 60 + 1, "bob", "us-east-1"));
    }
    recs.push(call(1000, "alice", "ap-southeast-3"));
    recs.push(call(1001, "bob", "eu-west-1"));
    recs.push(call(1002, "bob", "eu-west-1"));
    recs.push(record(
        &t(D + 1003),
        "iam.amazonaws.com",
        "CreateUser",
        iam_user("bob"),
        "198.51.100.1",
        "x",
    ));
    let store = load_records(&recs);
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    let r = &a.regions.regions;
    assert_eq!(r[0].region, "us-east-1");
    assert_eq!(
        (r[0].events, r[0].principals, r[0].flagged_events),
        (11, 2, 1)
    );
    let once: Vec<(&str, &str)> = a
        .regions
        .used_once
        .iter()
        .map(|u| (u.principal.as_str(), u.region.as_str()))
        .collect();
    // Bob used eu-west-1 twice; alice used ap-southeast-3 once.
    assert_eq!(once, vec![(user("alice").as_str(), "ap-southeast-3")]);
}
