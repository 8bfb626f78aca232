//! Request parameters, response elements, additional event data and resources of one call, in the
//! shapes the real services log.
use serde_json::{Value, json};

use super::calls::{Call, Shape};
use super::catalog::{self, ACCOUNT, Bucket, HOUR, Keys, PRINCIPALS, Principal};
use super::identity::{self, Actor};
use super::rng::{Rng, hash};
use super::time::{date, date_path, iso, sts_expiration};

/// The non-identity parts of a record.
#[derive(Debug, Clone)]
pub struct Parts {
    pub request: Value,
    pub response: Value,
    pub additional: Option<Value>,
    pub resources: Option<Value>,
}

impl Parts {
    fn new(request: Value) -> Self {
        Parts {
            request,
            response: Value::Null,
            additional: None,
            resources: None,
        }
    }
}

/// What a call is made with.
pub struct Ctx<'a> {
    pub seed: u64,
    pub principal: &'a Principal,
    pub actor: &'a Actor,
    pub time: i64,
    pub region: &'static str,
    pub bucket: Option<&'static Bucket>,
    pub failed: bool,
}

const INSTANCES: [&str; 4] = [
    catalog::WEBAPP_INSTANCE,
    "i-07c1d2e3f4a5b6c7d",
    "i-0b9e8d7c6a5f4e3d2",
    "i-0f1e2d3c4b5a69788",
];
const ROLES: [&str; 7] = [
    "webapp-prod-ec2-role",
    "orders-processor-lambda-role",
    "reporting-ecs-task-role",
    "github-actions-deploy",
    "terraform-ci",
    "ReadOnlyAudit",
    "backup-restore-role",
];
const POLICIES: [&str; 4] = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::111122223333:policy/webapp-s3-access",
    "arn:aws:iam::111122223333:policy/ci-deploy",
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
];
const LOOKUP_NAMES: [&str; 5] = [
    "ConsoleLogin",
    "CreateAccessKey",
    "DeleteBucket",
    "StopLogging",
    "PutBucketPolicy",
];

/// The bucket a call acts on, if any.
pub fn bucket_for(call: &Call, rng: &mut Rng) -> Option<&'static Bucket> {
    match call.shape {
        Shape::Object(b) | Shape::ListObjects(b) => Some(b),
        Shape::BucketSub(_) => Some(*rng.pick(&catalog::BUCKETS)),
        Shape::TrailAcl => Some(&catalog::TRAIL),
        _ => None,
    }
}

/// The S3 endpoint a request for the bucket goes to.
pub fn s3_host(bucket: &Bucket) -> String {
    format!("{}.s3.{}.amazonaws.com", bucket.name, bucket.region)
}

/// S3's additionalEventData.
pub fn s3_additional(bytes_in: u64, bytes_out: u64) -> Value {
    json!({
        "SignatureVersion": "SigV4",
        "CipherSuite": "TLS_AES_128_GCM_SHA256",
        "bytesTransferredIn": bytes_in,
        "AuthenticationMethod": "AuthHeader",
        "bytesTransferredOut": bytes_out,
    })
}

pub fn bucket_resources(bucket: &str) -> Value {
    json!([{"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}")}])
}

pub fn object_resources(bucket: &str, key: &str) -> Value {
    json!([
        {"type": "AWS::S3::Object", "ARN": format!("arn:aws:s3:::{bucket}/{key}")},
        {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}")},
    ])
}

/// The key of the nightly export part `part` of the day holding `t`.
pub fn export_key(t: i64, part: u64) -> String {
    format!(
        "exports/customer-pii/dt={}/customers-part-{part:04}.csv.gz",
        date(t)
    )
}

/// An object key and its size for a bucket's kind of content.
fn object(keys: Keys, t: i64, rng: &mut Rng) -> (String, u64) {
    match keys {
        Keys::Profiles => (
            format!(
                "customers/cust-{:06}/profile.json",
                rng.range(100_000, 349_999)
            ),
            rng.range(1_500, 12_000),
        ),
        Keys::Exports => (export_key(t, rng.below(12)), rng.range(200_000, 2_400_000)),
        Keys::Assets => {
            let key = match rng.below(3) {
                0 => format!("static/js/app.{}.js", rng.hex(8)),
                1 => format!("static/css/main.{}.css", rng.hex(8)),
                _ => format!("static/img/banner-{}.webp", rng.below(40)),
            };
            (key, rng.range(2_000, 400_000))
        }
        Keys::Analytics => {
            let day = t - rng.below(14) as i64 * catalog::DAY;
            let name = *rng.pick(&["orders-summary", "sessions", "funnel", "refunds"]);
            (
                format!("daily/dt={}/{name}.parquet", date(day)),
                rng.range(100_000, 5_000_000),
            )
        }
        Keys::Finance => {
            let key = match rng.below(3) {
                0 => format!("reports/2024/Q1/pnl-2024-{:02}.xlsx", rng.range(1, 3)),
                1 => "reports/2024/03/ap-aging.xlsx".to_owned(),
                _ => format!("invoices/2024/03/inv-{:05}.pdf", rng.range(10_000, 19_999)),
            };
            (key, rng.range(30_000, 900_000))
        }
        Keys::Trail => (format!("AWSLogs/{ACCOUNT}/CloudTrail/"), 0),
    }
}

fn prefix(keys: Keys) -> &'static str {
    match keys {
        Keys::Profiles => "customers/",
        Keys::Exports => "exports/",
        Keys::Assets => "static/",
        Keys::Analytics => "daily/",
        Keys::Finance => "reports/",
        Keys::Trail => "AWSLogs/",
    }
}

/// The KMS key of a region.
pub fn kms_key(region: &str) -> String {
    let mut r = Rng::new(hash(0, &["kms", region]));
    format!("arn:aws:kms:{region}:{ACCOUNT}:key/{}", r.uuid())
}

fn kms_resources(region: &str) -> Value {
    json!([{"accountId": ACCOUNT, "type": "AWS::KMS::Key", "ARN": kms_key(region)}])
}

/// A fake STS session token: shaped like one, far shorter.
fn session_token(rng: &mut Rng) -> String {
    format!("IQoJb3JpZ2luX2VjE{}", rng.alnum(40))
}

/// The principal in the catalog that runs as `role`.
fn role_principal(role: &str) -> Option<&'static Principal> {
    PRINCIPALS.iter().find(|p| match p.kind {
        catalog::Kind::Role { role: r, .. } => r.rsplit('/').next() == Some(role),
        _ => false,
    })
}

/// Credentials and assumed-role user for an AssumeRole-like response. When the role belongs to a
/// catalog principal, the response hands out exactly the key that principal then uses.
fn assume_response(ctx: &Ctx, role: &str, session: &str, rng: &mut Rng) -> (Value, String) {
    let (key, arn, assumed_id) = match role_principal(role) {
        Some(p) => {
            let a = identity::actor(ctx.seed, p, ctx.time);
            let id = a.identity.principal_id.clone().unwrap_or_default();
            (a.identity.access_key_id.unwrap_or_default(), a.arn, id)
        }
        None => (
            identity::new_session_key(rng),
            format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"),
            format!("{}:{session}", identity::role_id(ctx.seed, role)),
        ),
    };
    let response = json!({
        "credentials": {
            "accessKeyId": key,
            "sessionToken": session_token(rng),
            "expiration": sts_expiration(ctx.time + HOUR),
        },
        "assumedRoleUser": {"assumedRoleId": assumed_id, "arn": arn},
    });
    (response, format!("arn:aws:iam::{ACCOUNT}:role/{role}"))
}

fn role_resources(role_arn: &str) -> Value {
    json!([{"accountId": ACCOUNT, "type": "AWS::IAM::Role", "ARN": role_arn}])
}

/// The session name an AWS service gives the role it assumes.
fn service_session(ctx: &Ctx, role: &str) -> String {
    role_principal(role)
        .map(|p| identity::actor(ctx.seed, p, ctx.time).arn)
        .and_then(|arn| arn.rsplit('/').next().map(str::to_owned))
        .unwrap_or_else(|| role.to_owned())
}

pub fn build(call: &Call, ctx: &Ctx, rng: &mut Rng) -> Parts {
    let mut parts = build_ok(call, ctx, rng);
    if ctx.failed {
        if !matches!(call.shape, Shape::ConsoleLogin) {
            parts.response = Value::Null;
        }
        // A failed S3 call sends back only a short error document.
        if let Some(extra) = parts.additional.as_mut().filter(|_| call.service == "s3") {
            extra["bytesTransferredIn"] = json!(0);
            extra["bytesTransferredOut"] = json!(0);
        }
    }
    parts
}

fn build_ok(call: &Call, ctx: &Ctx, rng: &mut Rng) -> Parts {
    let t = ctx.time;
    match call.shape {
        Shape::Null => Parts::new(Value::Null),
        Shape::Static(text) => Parts::new(serde_json::from_str(text).unwrap_or(Value::Null)),
        Shape::Instance => {
            let id = *rng.pick(&INSTANCES);
            let items = json!({"items": [{"instanceId": id}]});
            let mut parts = match call.name {
                "DescribeInstanceStatus" => Parts::new(
                    json!({"instancesSet": items, "filterSet": {}, "includeAllInstances": false}),
                ),
                "CreateTags" => {
                    let mut p = Parts::new(json!({
                        "resourcesSet": {"items": [{"resourceId": id}]},
                        "tagSet": {"items": [{"key": "owner", "value": ctx.principal.label}]},
                    }));
                    p.response = json!({"requestId": rng.uuid(), "_return": true});
                    p
                }
                _ => Parts::new(json!({"instancesSet": items})),
            };
            let states = match call.name {
                "StartInstances" => Some(((0, "pending"), (80, "stopped"))),
                "StopInstances" => Some(((64, "stopping"), (16, "running"))),
                _ => None,
            };
            if let Some(((cur, cur_name), (prev, prev_name))) = states {
                parts.response = json!({
                    "requestId": rng.uuid(),
                    "instancesSet": {"items": [{
                        "instanceId": id,
                        "currentState": {"code": cur, "name": cur_name},
                        "previousState": {"code": prev, "name": prev_name},
                    }]},
                });
            }
            parts
        }
        Shape::Role => Parts::new(json!({"roleName": rng.pick(&ROLES)})),
        Shape::User => {
            let users: Vec<&str> = PRINCIPALS
                .iter()
                .filter(|p| matches!(p.kind, catalog::Kind::ConsoleUser | catalog::Kind::KeyUser))
                .map(|p| p.label)
                .collect();
            Parts::new(json!({"userName": rng.pick(&users)}))
        }
        Shape::Policy => {
            let arn = *rng.pick(&POLICIES);
            if call.name == "GetPolicyVersion" {
                Parts::new(json!({"policyArn": arn, "versionId": format!("v{}", rng.range(1, 6))}))
            } else {
                Parts::new(json!({"policyArn": arn}))
            }
        }
        Shape::AssumeRole(role) => {
            let session = ctx.principal.label;
            let (response, role_arn) = assume_response(ctx, role, session, rng);
            Parts {
                request: json!({"roleArn": role_arn, "roleSessionName": session, "durationSeconds": 3600}),
                response,
                additional: None,
                resources: Some(role_resources(&role_arn)),
            }
        }
        Shape::ServiceAssumeRole(role) => {
            let session = service_session(ctx, role);
            let (response, role_arn) = assume_response(ctx, role, &session, rng);
            Parts {
                request: json!({"roleArn": role_arn, "roleSessionName": session}),
                response,
                additional: None,
                resources: Some(role_resources(&role_arn)),
            }
        }
        Shape::WebIdentity(role) => {
            let session = service_session(ctx, role);
            let (mut response, role_arn) = assume_response(ctx, role, &session, rng);
            if let catalog::Kind::WebIdentity { subject } = ctx.principal.kind {
                response["subjectFromWebIdentityToken"] = json!(subject);
            }
            response["provider"] = json!(ctx.actor.arn);
            response["audience"] = json!("sts.amazonaws.com");
            Parts {
                request: json!({"roleArn": role_arn, "roleSessionName": session, "durationSeconds": 3600}),
                response,
                additional: None,
                resources: Some(role_resources(&role_arn)),
            }
        }
        Shape::ListBuckets => Parts {
            request: json!({"Host": "s3.amazonaws.com"}),
            response: Value::Null,
            additional: Some(s3_additional(0, rng.range(800, 2_000))),
            resources: None,
        },
        Shape::BucketSub(sub) => {
            bucket_sub(ctx.bucket.unwrap_or(&catalog::CUSTOMER_DATA), sub, rng)
        }
        Shape::TrailAcl => bucket_sub(&catalog::TRAIL, "acl", rng),
        Shape::Object(bucket) => {
            let (key, size) = object(bucket.keys, t, rng);
            let (bytes_in, bytes_out) = match call.name {
                "PutObject" => (size, 0),
                "HeadObject" => (0, 0),
                _ => (0, size),
            };
            Parts {
                request: json!({"bucketName": bucket.name, "Host": s3_host(bucket), "key": key}),
                response: Value::Null,
                additional: Some(s3_additional(bytes_in, bytes_out)),
                resources: Some(object_resources(bucket.name, &key)),
            }
        }
        Shape::ListObjects(bucket) => Parts {
            request: json!({
                "bucketName": bucket.name,
                "Host": s3_host(bucket),
                "list-type": "2",
                "prefix": prefix(bucket.keys),
                "encoding-type": "url",
            }),
            response: Value::Null,
            additional: Some(s3_additional(0, rng.range(2_000, 120_000))),
            resources: Some(bucket_resources(bucket.name)),
        },
        Shape::Secret(names) => Parts::new(json!({"secretId": rng.pick(names)})),
        Shape::Parameter(names) => {
            Parts::new(json!({"name": rng.pick(names), "withDecryption": true}))
        }
        Shape::ParameterPath(path) => {
            Parts::new(json!({"path": path, "recursive": true, "withDecryption": true}))
        }
        Shape::KmsDecrypt => {
            let function = format!(
                "arn:aws:lambda:{}:{ACCOUNT}:function:orders-processor",
                ctx.region
            );
            Parts {
                request: json!({
                    "encryptionContext": {"aws:lambda:FunctionArn": function},
                    "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                }),
                response: Value::Null,
                additional: None,
                resources: Some(kms_resources(ctx.region)),
            }
        }
        Shape::KmsKey => {
            let request = if call.name == "GenerateDataKey" {
                json!({"keyId": kms_key(ctx.region), "keySpec": "AES_256"})
            } else {
                json!({"keyId": kms_key(ctx.region)})
            };
            Parts {
                request,
                response: Value::Null,
                additional: None,
                resources: Some(kms_resources(ctx.region)),
            }
        }
        Shape::LogGroup(groups) => Parts::new(json!({
            "logGroupName": rng.pick(groups),
            "filterPattern": "ERROR",
            "startTime": (t - HOUR) * 1000,
            "endTime": t * 1000,
        })),
        Shape::LogStream(groups) => {
            let group = *rng.pick(groups);
            let stream = format!("{}/[$LATEST]{}", date_path(t), rng.hex(32));
            if call.name == "CreateLogStream" {
                Parts::new(json!({"logGroupName": group, "logStreamName": stream}))
            } else {
                Parts::new(
                    json!({"logGroupName": group, "logStreamName": stream, "startFromHead": false}),
                )
            }
        }
        Shape::Function(names) => {
            let name = *rng.pick(names);
            let mut parts = Parts::new(json!({"functionName": name}));
            if call.name.starts_with("UpdateFunctionCode") {
                parts.request = json!({"functionName": name, "publish": true, "dryRun": false});
                parts.response = json!({
                    "functionName": name,
                    "functionArn": format!("arn:aws:lambda:{}:{ACCOUNT}:function:{name}", ctx.region),
                    "runtime": "python3.12",
                    "codeSize": rng.range(200_000, 9_000_000),
                    "lastModified": iso(t).replace('Z', ".000+0000"),
                    "version": "$LATEST",
                    "state": "Active",
                });
            }
            parts
        }
        Shape::Stack(names) => Parts::new(json!({"stackName": rng.pick(names)})),
        Shape::Trail => Parts::new(json!({
            "name": format!("arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/{}", catalog::TRAIL_NAME)
        })),
        Shape::LookupEvents => Parts::new(json!({
            "lookupAttributes": [{"attributeKey": "EventName", "attributeValue": rng.pick(&LOOKUP_NAMES)}],
            "maxResults": 50,
        })),
        Shape::InstanceInformation => Parts::new(json!({
            "instanceId": catalog::WEBAPP_INSTANCE,
            "agentVersion": "3.3.131.0",
            "agentStatus": "Active",
            "platformType": "Linux",
            "platformName": "Amazon Linux",
            "platformVersion": "2023",
            "iPAddress": catalog::WEBAPP_IP,
            "computerName": "ip-10-0-12-34.ec2.internal",
            "agentName": "amazon-ssm-agent",
            "availabilityZone": "us-east-1a",
            "availabilityZoneId": "use1-az4",
        })),
        Shape::ConsoleLogin => {
            let user = ctx.principal.label;
            let ok = !ctx.failed;
            Parts {
                request: Value::Null,
                response: json!({"ConsoleLogin": if ok { "Success" } else { "Failure" }}),
                additional: Some(json!({
                    "LoginTo": "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_7d1c2f0ab3e94e05",
                    "MobileVersion": "No",
                    "MFAIdentifier": format!("arn:aws:iam::{ACCOUNT}:mfa/{user}"),
                    "MFAUsed": if ok { "Yes" } else { "No" },
                })),
                resources: None,
            }
        }
        Shape::RotateKey => Parts {
            request: Value::Null,
            response: Value::Null,
            additional: Some(json!({"keyId": kms_key(ctx.region)})),
            resources: Some(kms_resources(ctx.region)),
        },
    }
}

fn bucket_sub(bucket: &Bucket, sub: &str, rng: &mut Rng) -> Parts {
    let mut request = serde_json::Map::new();
    request.insert(sub.to_owned(), json!(""));
    request.insert("bucketName".to_owned(), json!(bucket.name));
    request.insert("Host".to_owned(), json!(s3_host(bucket)));
    Parts {
        request: Value::Object(request),
        response: Value::Null,
        additional: Some(s3_additional(0, rng.range(150, 1_400))),
        resources: Some(bucket_resources(bucket.name)),
    }
}
