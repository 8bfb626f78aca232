//! The incident: the web app's instance-role credentials used from outside to steal the customer
//! data bucket, shaped after the IRP-DataAccess game day (a bucket read ~4,000 times in one hour by
//! a role that normally reads about 50 objects an hour).
use serde_json::{Value, json};

use super::calls::EventType;
use super::catalog::{
    self, ANALYTICS, Bucket, CUSTOMER_DATA, DAY, FINANCE, HOUR, PRINCIPALS, START, WEBAPP,
};
use super::identity::{self, Actor};
use super::ordinary::{event_version, tls_host_for};
use super::params::{bucket_resources, export_key, object_resources, s3_additional, s3_host};
use super::record::{Draft, Event, Phase};
use super::rng::Rng;

pub const ATTACKER_IP: &str = "203.0.113.77";
pub const KALI_CLI: &str =
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.6.9-amd64 exe/x86_64.kali.2024 prompt/off";
/// The bucket the data is taken from.
pub const TARGET: &Bucket = &CUSTOMER_DATA;
/// Incident records sort after ordinary records of the same second.
const ORDER_BASE: u64 = 1 << 48;

/// The incident's records and the facts about the attacker that do not come from counting.
pub struct Incident {
    pub events: Vec<Event>,
    pub arn: String,
    pub access_key: String,
    pub session_created: String,
    /// The CLI commands used, in order of first use.
    pub commands: Vec<String>,
}

/// One denied or allowed call of the attacker.
struct Step {
    service: &'static str,
    name: &'static str,
    command: &'static str,
    region: &'static str,
    read_only: bool,
    data: bool,
    request: Value,
    additional: Option<Value>,
    resources: Option<Value>,
    bucket: Option<&'static Bucket>,
    error: Option<(&'static str, String)>,
}

impl Step {
    fn new(
        service: &'static str,
        name: &'static str,
        command: &'static str,
        region: &'static str,
    ) -> Self {
        Step {
            service,
            name,
            command,
            region,
            read_only: true,
            data: false,
            request: Value::Null,
            additional: None,
            resources: None,
            bucket: None,
            error: None,
        }
    }

    fn denied(mut self, arn: &str) -> Self {
        let (service, name) = (self.service, self.name);
        let msg = format!(
            "User: {arn} is not authorized to perform: {service}:{name} because no identity-based policy allows the {service}:{name} action"
        );
        self.error = Some(if service == "ec2" {
            (
                "Client.UnauthorizedOperation",
                format!("You are not authorized to perform this operation. {msg}"),
            )
        } else {
            ("AccessDenied", msg)
        });
        self
    }

    fn s3_denied(mut self) -> Self {
        self.error = Some(("AccessDenied", "Access Denied".to_owned()));
        if let Some(a) = self.additional.as_mut() {
            a["bytesTransferredOut"] = json!(0);
        }
        self
    }

    /// An S3 call on `bucket` with the given sub-resource or parameters.
    fn s3(
        name: &'static str,
        command: &'static str,
        bucket: &'static Bucket,
        extra: Value,
        bytes_out: u64,
    ) -> Self {
        let mut request = serde_json::Map::new();
        if let Value::Object(m) = extra {
            request.extend(m);
        }
        request.insert("bucketName".to_owned(), json!(bucket.name));
        request.insert("Host".to_owned(), json!(s3_host(bucket)));
        Step {
            request: Value::Object(request),
            additional: Some(s3_additional(0, bytes_out)),
            resources: Some(bucket_resources(bucket.name)),
            bucket: Some(bucket),
            ..Step::new("s3", name, command, bucket.region)
        }
    }

    fn writes(mut self) -> Self {
        self.read_only = false;
        self
    }
}

struct Builder<'a> {
    actor: &'a Actor,
    rng: Rng,
    events: Vec<Event>,
    commands: Vec<String>,
}

impl Builder<'_> {
    fn emit(&mut self, t: i64, phase: Phase, step: Step) -> crate::Result<()> {
        let cli = format!("{KALI_CLI} command/{}", step.command);
        if !self.commands.iter().any(|c| c == step.command) {
            self.commands.push(step.command.to_owned());
        }
        let draft = Draft {
            time: t,
            version: event_version(step.service),
            identity: self.actor.identity.clone(),
            source: format!("{}.amazonaws.com", step.service),
            name: step.name,
            region: step.region,
            ip: ATTACKER_IP.to_owned(),
            agent: if step.service == "s3" {
                format!("[{cli}]")
            } else {
                cli
            },
            error_code: step.error.as_ref().map(|e| e.0),
            error_message: step.error.map(|e| e.1),
            request: step.request,
            response: Value::Null,
            additional: step.additional,
            request_id: if step.service == "s3" {
                self.rng.upper_hex(16)
            } else {
                self.rng.uuid()
            },
            event_id: self.rng.uuid(),
            read_only: step.read_only,
            resources: step.resources,
            event_type: EventType::ApiCall,
            data: step.data,
            vpc_endpoint: None,
            tls_host: Some(tls_host_for(step.service, step.region, step.bucket)),
            from_console: false,
        };
        let order = ORDER_BASE + self.events.len() as u64;
        self.events
            .push(Event::new(&draft, WEBAPP, Some(phase), order)?);
        Ok(())
    }
}

/// Builds the incident for `seed`: a weeknight of the third week, reconnaissance in the small
/// hours (UTC), the download burst in the next clock hour, then exposure and a logging attempt.
pub fn plan(seed: u64) -> crate::Result<Incident> {
    let mut rng = Rng::stream(seed, "incident");
    let day = 14 + rng.below(5) as i64;
    let hour = 2 + rng.below(3) as i64;
    let t0 = START + day * DAY + hour * HOUR + rng.range(8, 25) as i64 * 60 + rng.below(60) as i64;
    let webapp = &PRINCIPALS[WEBAPP];
    let actor = identity::actor(seed, webapp, t0);
    let arn = actor.arn.clone();
    let access_key = actor.identity.access_key_id.clone().unwrap_or_default();
    let session_created = actor
        .identity
        .session_context
        .as_ref()
        .map(|c| c.attributes.creation_date.clone())
        .unwrap_or_default();
    let mut b = Builder {
        actor: &actor,
        rng,
        events: Vec::new(),
        commands: Vec::new(),
    };

    // 1. Who am I, what is there, what may I do?
    let recon = [
        Step::new(
            "sts",
            "GetCallerIdentity",
            "sts.get-caller-identity",
            "us-east-1",
        ),
        Step {
            request: json!({"Host": "s3.amazonaws.com"}),
            additional: Some(s3_additional(0, 1_620)),
            ..Step::new("s3", "ListBuckets", "s3.ls", "us-east-1")
        },
        Step::new("iam", "ListUsers", "iam.list-users", "us-east-1").denied(&arn),
        Step::new("iam", "ListRoles", "iam.list-roles", "us-east-1").denied(&arn),
        Step {
            request: json!({"roleName": catalog::WEBAPP_ROLE}),
            ..Step::new(
                "iam",
                "ListAttachedRolePolicies",
                "iam.list-attached-role-policies",
                "us-east-1",
            )
        }
        .denied(&arn),
        Step::new(
            "secretsmanager",
            "ListSecrets",
            "secretsmanager.list-secrets",
            "us-east-1",
        )
        .denied(&arn),
        Step {
            request: json!({"instancesSet": {}, "filterSet": {}}),
            ..Step::new(
                "ec2",
                "DescribeInstances",
                "ec2.describe-instances",
                "us-east-1",
            )
        }
        .denied(&arn),
        Step::s3(
            "GetBucketPolicy",
            "s3api.get-bucket-policy",
            &FINANCE,
            json!({"policy": ""}),
            0,
        )
        .s3_denied(),
        Step {
            data: true,
            ..Step::s3(
                "ListObjects",
                "s3.ls",
                &ANALYTICS,
                json!({"list-type": "2", "prefix": "", "delimiter": "/", "encoding-type": "url"}),
                0,
            )
        }
        .s3_denied(),
        Step::s3(
            "GetBucketAcl",
            "s3api.get-bucket-acl",
            TARGET,
            json!({"acl": ""}),
            1_104,
        ),
        Step::s3(
            "GetBucketLocation",
            "s3api.get-bucket-location",
            TARGET,
            json!({"location": ""}),
            137,
        ),
    ];
    let mut t = t0;
    for step in recon {
        b.emit(t, Phase::Recon, step)?;
        t += b.rng.range(15, 70) as i64;
    }

    // 2. List the export prefix, 1,000 keys a page, just before the download starts.
    let burst_hour = START + day * DAY + (hour + 1) * HOUR;
    let objects = 3_900 + b.rng.below(300);
    let pages = objects.div_ceil(1000);
    let mut t = burst_hour - b.rng.range(60, 240) as i64;
    for page in 0..pages {
        let mut extra =
            json!({"list-type": "2", "prefix": "exports/customer-pii/", "encoding-type": "url"});
        if page > 0 {
            extra["continuation-token"] = json!(b.rng.alnum(48));
        }
        let keys = (objects - page * 1000).min(1000);
        let step = Step {
            data: true,
            ..Step::s3("ListObjects", "s3.ls", TARGET, extra, 180 * keys)
        };
        b.emit(t, Phase::Discovery, step)?;
        t += b.rng.range(1, 3) as i64;
    }

    // 3. `aws s3 cp --recursive`: every export part, oldest first, within one clock hour.
    let first_day = START + day * DAY - (objects.div_ceil(12) as i64) * DAY;
    let mut t = burst_hour + 60 + b.rng.below(120) as i64;
    for i in 0..objects {
        let key = export_key(first_day + (i / 12) as i64 * DAY, i % 12);
        let size = b.rng.range(150_000, 1_900_000);
        let step = Step {
            data: true,
            request: json!({"bucketName": TARGET.name, "Host": s3_host(TARGET), "key": key}),
            additional: Some(s3_additional(0, size)),
            resources: Some(object_resources(TARGET.name, &key)),
            ..Step::s3("GetObject", "s3.cp", TARGET, Value::Null, 0)
        };
        b.emit(t.min(burst_hour + HOUR - 1), Phase::Exfiltration, step)?;
        // Ten parallel transfers: about 1.4 objects a second.
        t += *b.rng.weighted(&[(35, 0i64), (60, 1), (5, 2)]);
    }

    // 4. Make the bucket public: the public policy is refused while the public access block is on.
    let mut t = burst_hour + HOUR + b.rng.range(4, 12) as i64 * 60;
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "PublicRead",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": [format!("arn:aws:s3:::{}", TARGET.name), format!("arn:aws:s3:::{}/*", TARGET.name)],
        }],
    });
    let put_policy = || {
        Step::s3(
            "PutBucketPolicy",
            "s3api.put-bucket-policy",
            TARGET,
            json!({"bucketPolicy": policy, "policy": ""}),
            0,
        )
        .writes()
    };
    let exposure = [
        put_policy().s3_denied(),
        Step::s3(
            "DeleteBucketPublicAccessBlock",
            "s3api.delete-public-access-block",
            TARGET,
            json!({"publicAccessBlock": ""}),
            0,
        )
        .writes(),
        put_policy(),
        Step::s3(
            "GetBucketPolicy",
            "s3api.get-bucket-policy",
            TARGET,
            json!({"policy": ""}),
            412,
        ),
    ];
    for step in exposure {
        b.emit(t, Phase::Exposure, step)?;
        t += b.rng.range(20, 90) as i64;
    }

    // 5. Try to stop the trail.
    t += b.rng.range(60, 180) as i64;
    let stop = Step {
        request: json!({
            "name": format!("arn:aws:cloudtrail:us-east-1:{}:trail/{}", catalog::ACCOUNT, catalog::TRAIL_NAME)
        }),
        read_only: false,
        ..Step::new("cloudtrail", "StopLogging", "cloudtrail.stop-logging", "us-east-1")
    }
    .denied(&arn);
    b.emit(t, Phase::Evasion, stop)?;

    Ok(Incident {
        events: b.events,
        arn,
        access_key,
        session_created,
        commands: b.commands,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_fits_one_clock_hour_and_uses_one_key() {
        for seed in [1, 7, 12345] {
            let inc = plan(seed).expect("plans");
            let gets: Vec<&Event> = inc
                .events
                .iter()
                .filter(|e| e.fact.phase == Some(Phase::Exfiltration))
                .collect();
            assert!(gets.len() >= 3_900);
            let hour = gets[0].time.div_euclid(HOUR);
            assert!(gets.iter().all(|e| e.time.div_euclid(HOUR) == hour));
            assert!(
                inc.events.windows(2).all(|w| w[0].time <= w[1].time),
                "phases in time order"
            );
            for e in &inc.events {
                assert!(e.text.contains(&inc.access_key));
                assert!(e.text.contains(ATTACKER_IP));
                assert!(e.text.contains("kali"));
            }
            // A weeknight of the third week.
            let day = (gets[0].time - START) / DAY;
            assert!((14..19).contains(&day));
        }
    }

    #[test]
    fn phases_in_order_with_denials() {
        let inc = plan(7).expect("plans");
        let phases: Vec<Phase> = inc.events.iter().filter_map(|e| e.fact.phase).collect();
        assert!(phases.windows(2).all(|w| w[0] <= w[1]));
        let denied = |name: &str| {
            inc.events
                .iter()
                .any(|e| e.fact.name == name && e.fact.failed)
        };
        assert!(denied("ListUsers") && denied("ListSecrets") && denied("StopLogging"));
        let policy_ok = inc.events.iter().any(|e| {
            e.fact.name == "PutBucketPolicy"
                && !e.fact.failed
                && e.text.contains(r#""Principal":"*""#)
        });
        assert!(policy_ok);
    }
}
