//! The playbook's use of the detection: the BUCKET suggested for a suspect, on minimal hand-made
//! records through the real ingest.
use cttui::playbook::pins_for;
use serde_json::{Value, json};

use crate::support::records::{DAY0, iam_user, load_records, record, t, user, with};

const CLI: &str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22";

fn s3(i: i64, who: &Value, name: &str, bucket: &str, err: Option<&str>) -> Value {
    let r = with(
        record(
            &t(DAY0 + i * 60),
            "s3.amazonaws.com",
            name,
            who.clone(),
            "198.51.100.9",
            CLI,
        ),
        "requestParameters",
        json!({"bucketName": bucket, "key": "k"}),
    );
    match err {
        Some(e) => with(r, "errorCode", json!(e)),
        None => r,
    }
}

/// The suggested bucket: the suspect's own reads (attempts count), else the bucket its S3 calls
/// name, else the log's most-read bucket. A tie in the log's reads never decides it.
#[test]
fn suggested_bucket_follows_the_suspect() {
    let (app, alice, eve) = (iam_user("app"), iam_user("alice"), iam_user("eve"));
    // The application reads "busy" as often as eve tries to read "pii" (a tie: 4 and 4).
    let mut recs: Vec<Value> = (0..4)
        .map(|i| s3(i, &app, "GetObject", "busy", None))
        .collect();
    recs.extend((0..3).map(|i| s3(10 + i, &eve, "GetObject", "pii", None)));
    recs.push(s3(13, &eve, "GetObject", "pii", Some("AccessDenied")));
    recs.push(s3(14, &eve, "PutBucketPolicy", "pii", None));
    // alice reads nothing; she removes the policy eve set on "pii" and lists "logs" once.
    recs.push(s3(20, &alice, "DeleteBucketPolicy", "pii", None));
    recs.push(s3(21, &alice, "GetBucketAcl", "pii", None));
    recs.push(s3(22, &alice, "ListObjects", "logs", None));
    let store = load_records(&recs);
    let cases: [(Option<String>, &str); 4] = [
        (Some(user("eve")), "pii"),
        (Some(user("app")), "busy"),
        (Some(user("alice")), "pii"),
        // No suspect: the log's most-read bucket (one more read of "busy" breaks the tie).
        (None, "busy"),
    ];
    let mut store_more = recs.clone();
    store_more.push(s3(30, &app, "GetObject", "busy", None));
    let more = load_records(&store_more);
    for (suspect, want) in cases {
        let st = if suspect.is_none() { &more } else { &store };
        let pins = pins_for(st, suspect.clone());
        assert_eq!(pins.bucket.as_deref(), Some(want), "{suspect:?}");
    }
}
