//! Parquet that other tools wrote: a Spark/Glue conversion of raw CloudTrail (nested structs,
//! `awsRegion=…/eventSource=…` folders, snappy) and an Athena CTAS of the CloudTrail table
//! (lower-case names, JSON text columns), each loading into the same events as the JSON records;
//! and a slice read through partition and row-group pruning.
use std::path::Path;

use cttui::ingest::parquet::{Slice, parse_since, parse_until, read_input};
use cttui::ingest::{self, LoadOptions};
use polars::prelude::*;
use polars_io::parquet::write::{ParquetCompression, ParquetWriter};
use serde_json::json;

/// Four hand-made records: an S3 read from outside with MFA, a denied call, an STS call, a read
/// in another region.
fn records() -> Vec<serde_json::Value> {
    let rec = |i: usize,
               time: &str,
               region: &str,
               source: &str,
               name: &str,
               ip: &str,
               bucket: Option<&str>,
               bytes: Option<i64>,
               error: Option<&str>| {
        let mut r = json!({
            "eventVersion": "1.08",
            "userIdentity": {
                "type": "IAMUser",
                "principalId": format!("AIDA{i}"),
                "arn": format!("arn:aws:iam::111122223333:user/u{}", i % 2),
                "accountId": "111122223333",
                "accessKeyId": format!("AKIA{i}"),
                "userName": format!("u{}", i % 2),
                "sessionContext": {"attributes": {"mfaAuthenticated": if i == 0 {"true"} else {"false"}, "creationDate": "2020-09-14T00:00:00Z"}}
            },
            "eventTime": time,
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "sourceIPAddress": ip,
            "userAgent": "aws-cli/2.0",
            "requestID": format!("req-{i}"),
            "eventID": format!("00000000-0000-0000-0000-00000000000{i}"),
            "readOnly": true,
            "eventType": "AwsApiCall",
            "managementEvent": bucket.is_none(),
            "recipientAccountId": "111122223333",
            "eventCategory": if bucket.is_some() {"Data"} else {"Management"}
        });
        if let Some(b) = bucket {
            r["requestParameters"] = json!({"bucketName": b, "key": format!("k/{i}.csv")});
        }
        if let Some(n) = bytes {
            r["additionalEventData"] = json!({"bytesTransferredOut": n});
        }
        if let Some(e) = error {
            r["errorCode"] = json!(e);
            r["errorMessage"] = json!("denied");
        }
        r
    };
    vec![
        rec(
            0,
            "2020-09-14T00:40:12Z",
            "us-east-1",
            "s3.amazonaws.com",
            "GetObject",
            "203.0.113.7",
            Some("data"),
            Some(1234),
            None,
        ),
        rec(
            1,
            "2020-09-14T01:00:00Z",
            "us-east-1",
            "s3.amazonaws.com",
            "GetObject",
            "10.0.0.1",
            Some("data"),
            None,
            Some("AccessDenied"),
        ),
        rec(
            2,
            "2020-09-15T02:00:00Z",
            "us-east-1",
            "sts.amazonaws.com",
            "GetCallerIdentity",
            "203.0.113.7",
            None,
            None,
            None,
        ),
        rec(
            3,
            "2020-09-16T03:00:00Z",
            "eu-west-1",
            "s3.amazonaws.com",
            "GetObject",
            "198.51.100.9",
            Some("other"),
            Some(99),
            None,
        ),
    ]
}

fn strs(name: &str, v: Vec<Option<String>>) -> Column {
    Series::new(name.into(), v).into_column()
}

fn field<'a>(r: &'a serde_json::Value, path: &[&str]) -> Option<&'a serde_json::Value> {
    path.iter().try_fold(r, |v, k| v.get(*k))
}

fn text(r: &serde_json::Value, path: &[&str]) -> Option<String> {
    field(r, path).map(|v| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

fn strukt(name: &str, cols: Vec<Column>) -> Column {
    DataFrame::new_infer_height(cols)
        .expect("frame")
        .into_struct(name.into())
        .into_series()
        .into_column()
}

/// Spark's shape: names as in the JSON, nested structs, native booleans and numbers.
fn spark_frame(recs: &[serde_json::Value]) -> DataFrame {
    let col = |name: &str, path: &[&str]| strs(name, recs.iter().map(|r| text(r, path)).collect());
    let attrs = strukt(
        "attributes",
        vec![
            col(
                "mfaAuthenticated",
                &[
                    "userIdentity",
                    "sessionContext",
                    "attributes",
                    "mfaAuthenticated",
                ],
            ),
            col(
                "creationDate",
                &[
                    "userIdentity",
                    "sessionContext",
                    "attributes",
                    "creationDate",
                ],
            ),
        ],
    );
    let ctx = strukt("sessionContext", vec![attrs]);
    let uid = strukt(
        "userIdentity",
        vec![
            col("type", &["userIdentity", "type"]),
            col("principalId", &["userIdentity", "principalId"]),
            col("arn", &["userIdentity", "arn"]),
            col("accountId", &["userIdentity", "accountId"]),
            col("accessKeyId", &["userIdentity", "accessKeyId"]),
            col("userName", &["userIdentity", "userName"]),
            ctx,
        ],
    );
    let params = strukt(
        "requestParameters",
        vec![
            col("bucketName", &["requestParameters", "bucketName"]),
            col("key", &["requestParameters", "key"]),
        ],
    );
    let bytes: Vec<Option<i64>> = recs
        .iter()
        .map(|r| field(r, &["additionalEventData", "bytesTransferredOut"]).and_then(|v| v.as_i64()))
        .collect();
    let extra = strukt(
        "additionalEventData",
        vec![Series::new("bytesTransferredOut".into(), bytes).into_column()],
    );
    let bools = |name: &str| {
        Series::new(
            name.into(),
            recs.iter().map(|r| r[name].as_bool()).collect::<Vec<_>>(),
        )
        .into_column()
    };
    DataFrame::new_infer_height(vec![
        col("eventVersion", &["eventVersion"]),
        uid,
        col("eventTime", &["eventTime"]),
        col("eventName", &["eventName"]),
        col("sourceIPAddress", &["sourceIPAddress"]),
        col("userAgent", &["userAgent"]),
        col("errorCode", &["errorCode"]),
        col("errorMessage", &["errorMessage"]),
        params,
        extra,
        col("requestID", &["requestID"]),
        col("eventID", &["eventID"]),
        bools("readOnly"),
        col("eventType", &["eventType"]),
        bools("managementEvent"),
        col("recipientAccountId", &["recipientAccountId"]),
        col("eventCategory", &["eventCategory"]),
    ])
    .expect("frame")
}

/// Athena CTAS of the CloudTrail table: lower-case names, JSON text for the free-form fields,
/// booleans as text.
fn athena_frame(recs: &[serde_json::Value]) -> DataFrame {
    let col = |name: &str, path: &[&str]| strs(name, recs.iter().map(|r| text(r, path)).collect());
    let json_text = |name: &str, key: &str| {
        strs(
            name,
            recs.iter()
                .map(|r| r.get(key).map(|v| v.to_string()))
                .collect(),
        )
    };
    let attrs = strukt(
        "attributes",
        vec![
            col(
                "mfaauthenticated",
                &[
                    "userIdentity",
                    "sessionContext",
                    "attributes",
                    "mfaAuthenticated",
                ],
            ),
            col(
                "creationdate",
                &[
                    "userIdentity",
                    "sessionContext",
                    "attributes",
                    "creationDate",
                ],
            ),
        ],
    );
    let uid = strukt(
        "useridentity",
        vec![
            col("type", &["userIdentity", "type"]),
            col("principalid", &["userIdentity", "principalId"]),
            col("arn", &["userIdentity", "arn"]),
            col("accountid", &["userIdentity", "accountId"]),
            col("accesskeyid", &["userIdentity", "accessKeyId"]),
            col("username", &["userIdentity", "userName"]),
            strukt("sessioncontext", vec![attrs]),
        ],
    );
    DataFrame::new_infer_height(vec![
        col("eventversion", &["eventVersion"]),
        uid,
        col("eventtime", &["eventTime"]),
        col("eventsource", &["eventSource"]),
        col("eventname", &["eventName"]),
        col("awsregion", &["awsRegion"]),
        col("sourceipaddress", &["sourceIPAddress"]),
        col("useragent", &["userAgent"]),
        col("errorcode", &["errorCode"]),
        col("errormessage", &["errorMessage"]),
        json_text("requestparameters", "requestParameters"),
        json_text("additionaleventdata", "additionalEventData"),
        col("requestid", &["requestID"]),
        col("eventid", &["eventID"]),
        col("readonly", &["readOnly"]),
        col("eventtype", &["eventType"]),
        col("managementevent", &["managementEvent"]),
        col("recipientaccountid", &["recipientAccountId"]),
        col("eventcategory", &["eventCategory"]),
    ])
    .expect("frame")
}

fn write(
    df: &mut DataFrame,
    path: &Path,
    compression: ParquetCompression,
    row_group: Option<usize>,
) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let f = std::fs::File::create(path).expect("create");
    ParquetWriter::new(f)
        .with_compression(compression)
        .with_row_group_size(row_group)
        .finish(df)
        .expect("write parquet");
}

/// The event table without store-internal ids, for comparing two loads.
fn events(paths: &[&Path], slice: Slice) -> DataFrame {
    let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let opts = LoadOptions {
        slice,
        ..LoadOptions::default()
    };
    let (store, _) = ingest::load(&paths, &opts).expect("load");
    store.df().drop_many(["row_id", "raw_id", "file_id"])
}

fn json_file(dir: &Path, recs: &[serde_json::Value]) -> std::path::PathBuf {
    let p = dir.join("records.json");
    std::fs::write(
        &p,
        serde_json::to_vec(&json!({ "Records": recs })).expect("json"),
    )
    .expect("write");
    p
}

#[test]
fn spark_nested_dataset_loads_like_the_json() {
    let tmp = tempfile::tempdir().expect("tmp");
    let recs = records();
    let root = tmp.path().join("spark");
    // Spark writes each (awsRegion, eventSource) group into its folder, without those columns.
    let groups = [
        ("us-east-1", "s3.amazonaws.com", vec![0, 1]),
        ("us-east-1", "sts.amazonaws.com", vec![2]),
        ("eu-west-1", "s3.amazonaws.com", vec![3]),
    ];
    for (region, source, idx) in &groups {
        let part: Vec<_> = idx.iter().map(|&i| recs[i].clone()).collect();
        let mut df = spark_frame(&part);
        let path = root
            .join(format!("awsRegion={region}"))
            .join(format!("eventSource={source}"))
            .join("part-00000-c000.snappy.parquet");
        write(&mut df, &path, ParquetCompression::Snappy, None);
    }
    // Spark's marker files sit beside the data.
    std::fs::write(root.join("_SUCCESS"), b"").expect("marker");
    let from_json = events(&[&json_file(tmp.path(), &recs)], Slice::default());
    let from_spark = events(&[&root], Slice::default());
    assert_eq!(from_json.height(), 4);
    assert!(
        from_json.equals_missing(&from_spark),
        "JSON:\n{from_json}\nSpark:\n{from_spark}"
    );
    // The folders filled the region and source the files did not hold.
    let regions = from_spark
        .column("aws_region")
        .expect("c")
        .str()
        .expect("s")
        .clone();
    assert_eq!(regions.get(3), Some("eu-west-1"));
    let mfa = from_spark
        .column("mfa_authenticated")
        .expect("c")
        .bool()
        .expect("b")
        .clone();
    assert_eq!(mfa.get(0), Some(true));
    let bytes = from_spark
        .column("bytes_out")
        .expect("c")
        .i64()
        .expect("i")
        .clone();
    assert_eq!(bytes.get(0), Some(1234));
}

#[test]
fn athena_ctas_loads_like_the_json() {
    let tmp = tempfile::tempdir().expect("tmp");
    let recs = records();
    let path = tmp.path().join("ctas").join("20200914_000000_00001_abcde");
    let mut df = athena_frame(&recs);
    write(&mut df, &path, ParquetCompression::Gzip(None), None);
    let from_json = events(&[&json_file(tmp.path(), &recs)], Slice::default());
    let from_athena = events(&[&tmp.path().join("ctas")], Slice::default());
    assert!(
        from_json.equals_missing(&from_athena),
        "JSON:\n{from_json}\nAthena:\n{from_athena}"
    );
    let buckets = from_athena
        .column("bucket")
        .expect("c")
        .str()
        .expect("s")
        .clone();
    assert_eq!(buckets.get(0), Some("data"));
}

#[test]
fn a_slice_reads_only_its_partitions_and_row_groups() {
    let tmp = tempfile::tempdir().expect("tmp");
    let recs = records();
    // One file with one record per row group, sorted by time.
    let flat = tmp.path().join("flat.parquet");
    let mut df = spark_frame(&recs);
    write(&mut df, &flat, ParquetCompression::Zstd(None), Some(1));
    let day = Slice {
        since: parse_since("2020-09-15").ok(),
        until: parse_until("2020-09-15").ok(),
        ..Slice::default()
    };
    let read = read_input(&flat, &day).expect("read");
    assert_eq!(read.row_groups, 4);
    assert_eq!(
        read.row_groups_read, 1,
        "only the 2020-09-15 row group is decoded"
    );
    assert_eq!(read.input.bytes.iter().filter(|&&b| b == b'\n').count(), 1);
    assert_eq!(events(&[&flat], day.clone()).height(), 1);

    // Date folders outside the window are not opened: a broken file there is never read.
    let ds = tmp.path().join("ds");
    for (i, date) in [(0, "2020-09-14"), (2, "2020-09-15"), (3, "2020-09-16")] {
        let dir = ds.join(format!("date={date}"));
        let mut part = spark_frame(&recs[i..i + 1]);
        write(
            &mut part,
            &dir.join("p.parquet"),
            ParquetCompression::Zstd(None),
            None,
        );
    }
    std::fs::write(
        ds.join("date=2020-09-16").join("broken.parquet"),
        b"PAR1 not really",
    )
    .expect("w");
    let paths = vec![ds.display().to_string()];
    let opts = LoadOptions {
        slice: day.clone(),
        ..LoadOptions::default()
    };
    let (store, report) = ingest::load(&paths, &opts).expect("load");
    assert_eq!(store.len(), 1);
    assert_eq!(
        report.pruned_files, 3,
        "two 14th/16th files and the broken one"
    );
    assert!(report.files.iter().all(|f| f.error.is_none()));

    // The window also applies to JSON input, and an empty slice says so.
    let json = json_file(tmp.path(), &recs);
    assert_eq!(events(&[&json], day).height(), 1);
    let none = Slice {
        since: parse_since("2021-01-01").ok(),
        ..Slice::default()
    };
    let err = ingest::load(
        &[json.display().to_string()],
        &LoadOptions {
            slice: none,
            ..LoadOptions::default()
        },
    )
    .err()
    .expect("nothing in 2021");
    assert!(err.to_string().contains("--since"), "{err}");
}

#[test]
fn the_filter_prunes_region_and_source_folders() {
    let tmp = tempfile::tempdir().expect("tmp");
    let recs = records();
    let out = tmp.path().join("pq");
    let json = json_file(tmp.path(), &recs);
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_cttui"))
        .args([
            "convert",
            json.to_str().expect("utf8"),
            "-o",
            out.to_str().expect("utf8"),
            "-q",
        ])
        .status()
        .expect("run");
    assert!(status.success());
    let slice = cttui::sql::filter::slice_hints("region:eu-west-1 name:GetObject").expect("hints");
    let paths = vec![out.display().to_string()];
    let (store, report) = ingest::load(
        &paths,
        &LoadOptions {
            slice,
            ..LoadOptions::default()
        },
    )
    .expect("load");
    assert_eq!(store.len(), 1);
    assert_eq!(report.pruned_files, 2, "the two us-east-1 folders");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cttui"))
        .args([
            "events",
            out.to_str().expect("utf8"),
            "--filter",
            "region:eu-west-1",
            "-q",
        ])
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 1);
    assert!(text.contains("198.51.100.9"));
}
