//! Ordinary activity: how many records each hour gets, who makes them, and the records themselves.
//!
//! The schedule is integer arithmetic over the principals' rhythms, so the number of records per
//! hour is exact and the same on every platform; the records are then drawn hour by hour, which
//! keeps memory flat however many are asked for.
use super::calls::{Call, Shape};
use super::catalog::{self, Agent, DAYS, HOUR, Kind, PRINCIPALS, Principal, START};
use super::identity;
use super::params::{self, Ctx};
use super::record::{Draft, Event};
use super::rng::{Rng, hash};

pub const HOURS: usize = (DAYS * 24) as usize;
/// Chance per 10 000 that a record is delivered twice (CloudTrail's at-least-once delivery).
const REDELIVERY_PER_10K: u64 = 10;
/// Fixed-point scale for per-hour principal weights.
const SCALE: u128 = 1 << 32;

/// Per hour: each principal's weight, and the number of records.
pub struct Schedule {
    weights: Vec<[u64; PRINCIPALS.len()]>,
    pub counts: Vec<u64>,
}

fn hour_start(h: usize) -> i64 {
    START + h as i64 * HOUR
}

impl Schedule {
    /// Spreads `n` records over the hours: each principal keeps its share of the total, placed in
    /// the hours its rhythm favours. Largest remainders (ties to the earlier hour) make it exact.
    pub fn new(n: u64) -> Self {
        let norms: Vec<u128> = PRINCIPALS
            .iter()
            .map(|p| {
                (0..HOURS)
                    .map(|h| u128::from(p.rhythm.weight(hour_start(h))))
                    .sum::<u128>()
                    .max(1)
            })
            .collect();
        let weights: Vec<[u64; PRINCIPALS.len()]> = (0..HOURS)
            .map(|h| {
                let mut w = [0u64; PRINCIPALS.len()];
                for (i, p) in PRINCIPALS.iter().enumerate() {
                    let r = u128::from(p.rhythm.weight(hour_start(h)));
                    w[i] = (u128::from(p.share) * r * SCALE / norms[i]) as u64;
                }
                w
            })
            .collect();
        let totals: Vec<u128> = weights
            .iter()
            .map(|w| w.iter().map(|&x| u128::from(x)).sum())
            .collect();
        let all: u128 = totals.iter().sum::<u128>().max(1);
        let n128 = u128::from(n);
        let mut counts: Vec<u64> = totals.iter().map(|&t| (n128 * t / all) as u64).collect();
        let placed: u64 = counts.iter().sum();
        let mut order: Vec<usize> = (0..HOURS).collect();
        order.sort_by(|&a, &b| {
            let ra = n128 * totals[a] % all;
            let rb = n128 * totals[b] % all;
            rb.cmp(&ra).then(a.cmp(&b))
        });
        for &h in order.iter().take((n - placed) as usize) {
            counts[h] += 1;
        }
        Schedule { weights, counts }
    }

    fn pick_principal(&self, h: usize, rng: &mut Rng) -> usize {
        let w = &self.weights[h];
        let total: u64 = w.iter().sum();
        let mut x = rng.below(total);
        for (i, &wi) in w.iter().enumerate() {
            if x < wi {
                return i;
            }
            x -= wi;
        }
        catalog::WEBAPP
    }
}

/// The user agent a principal's client sends for a call.
fn user_agent(p: &Principal, call: &Call) -> String {
    let agent = match p.agent {
        Agent::Browser(b) => b.to_owned(),
        Agent::Cli(prefix) => format!("{prefix} command/{}", call.cli_command()),
        Agent::Sdk(s) => s.to_owned(),
        Agent::Host => match p.kind {
            Kind::Service { host } => host.to_owned(),
            _ => "AWS Internal".to_owned(),
        },
    };
    // S3 writes client user agents in brackets; AWS service names stay bare.
    if call.service == "s3" && !agent.ends_with(".amazonaws.com") {
        format!("[{agent}]")
    } else {
        agent
    }
}

/// The host a client's TLS connection named, when the call came over TLS from outside AWS's own
/// services.
pub fn tls_host_for(service: &str, region: &str, bucket: Option<&catalog::Bucket>) -> String {
    match (service, bucket) {
        ("s3", Some(b)) => params::s3_host(b),
        ("s3", None) => "s3.amazonaws.com".to_owned(),
        ("iam", _) => "iam.amazonaws.com".to_owned(),
        ("signin", _) => "signin.aws.amazon.com".to_owned(),
        (service, _) => format!("{service}.{region}.amazonaws.com"),
    }
}

/// The VPC endpoint a workload's private call went through.
pub fn vpc_endpoint(service: &str, region: &str) -> String {
    let mut r = Rng::new(hash(0, &["vpce", service, region]));
    format!("vpce-0{}", r.hex(16))
}

pub fn event_version(service: &str) -> &'static str {
    match service {
        "s3" | "signin" | "sts" | "iam" => "1.09",
        _ => "1.08",
    }
}

/// One ordinary record by principal `pi` at time `t`.
pub fn make(seed: u64, pi: usize, t: i64, rng: &mut Rng) -> Draft {
    let p = &PRINCIPALS[pi];
    let call = *rng.weighted(p.calls);
    let bucket = params::bucket_for(call, rng);
    let region = match (call.scope, bucket) {
        (super::calls::Scope::Global, _) => "us-east-1",
        (super::calls::Scope::Bucket, Some(b)) => b.region,
        _ => *rng.weighted(p.regions),
    };
    let actor = identity::actor(seed, p, t);
    let failed = rng.chance(call.fail_per_10k);
    let (error_code, error_message) = if failed {
        rng.weighted(call.fails)
            .describe(call.service, call.name, &actor.arn)
    } else {
        (None, None)
    };
    let ctx = Ctx {
        seed,
        principal: p,
        actor: &actor,
        time: t,
        region,
        bucket,
        failed,
    };
    let parts = params::build(call, &ctx, rng);
    let ip = match p.kind {
        Kind::Service { host } => host.to_owned(),
        _ => (*rng.pick(p.ips)).to_owned(),
    };
    let service_caller = p.is_service() || ip.ends_with(".amazonaws.com");
    let private = ip.starts_with("10.");
    let console = matches!(p.kind, Kind::ConsoleUser);
    let sign_in = matches!(call.shape, Shape::ConsoleLogin);
    Draft {
        time: t,
        version: event_version(call.service),
        identity: if sign_in {
            identity::sign_in(seed, p)
        } else {
            actor.identity
        },
        source: call.event_source(),
        name: call.name,
        region,
        agent: user_agent(p, call),
        ip,
        error_code,
        error_message,
        request: parts.request,
        response: parts.response,
        additional: parts.additional,
        request_id: if call.service == "s3" {
            rng.upper_hex(16)
        } else {
            rng.uuid()
        },
        event_id: rng.uuid(),
        read_only: call.read_only,
        resources: parts.resources,
        event_type: call.kind,
        data: call.is_data(),
        vpc_endpoint: private.then(|| vpc_endpoint(call.service, region)),
        tls_host: (!service_caller).then(|| tls_host_for(call.service, region, bucket)),
        from_console: console && !sign_in,
    }
}

/// Draws the ordinary records hour by hour.
pub struct Ordinary {
    seed: u64,
    rng: Rng,
    pub schedule: Schedule,
    next_order: u64,
}

impl Ordinary {
    pub fn new(seed: u64, n: u64) -> Self {
        Ordinary {
            seed,
            rng: Rng::stream(seed, "ordinary"),
            schedule: Schedule::new(n),
            next_order: 0,
        }
    }

    /// The records of hour `h`, in generation order. A record marked for redelivery takes two of
    /// the hour's slots, so the hour holds exactly its scheduled number of written records.
    pub fn hour(&mut self, h: usize) -> crate::Result<Vec<Event>> {
        let count = self.schedule.counts[h];
        let start = hour_start(h);
        let mut out = Vec::with_capacity(count as usize);
        let mut written = 0;
        while written < count {
            let pi = self.schedule.pick_principal(h, &mut self.rng);
            let t = start + self.rng.below(HOUR as u64) as i64;
            let draft = make(self.seed, pi, t, &mut self.rng);
            let mut event = Event::new(&draft, pi, None, self.next_order)?;
            self.next_order += 1;
            written += 1;
            if written < count && self.rng.chance(REDELIVERY_PER_10K) {
                event.redeliver = true;
                written += 1;
            }
            out.push(event);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_is_exact_and_follows_rhythms() {
        for n in [0u64, 1, 999, 30_000] {
            let s = Schedule::new(n);
            assert_eq!(s.counts.iter().sum::<u64>(), n);
        }
        let s = Schedule::new(100_000);
        // Tuesday 15:00 UTC (New York morning) vs Tuesday 08:00 UTC (New York night).
        let busy = s.counts[24 + 15];
        let quiet = s.counts[24 + 8];
        assert!(busy > quiet, "{busy} vs {quiet}");
        // The nightly reporting job only runs at 04 UTC.
        let ecs = PRINCIPALS
            .iter()
            .position(|p| p.label == "reporting-ecs-task-role");
        let ecs = ecs.expect("in the catalog");
        assert!(s.weights[4][ecs] > 0);
        assert_eq!(s.weights[5][ecs], 0);
    }

    #[test]
    fn hour_holds_its_scheduled_records() {
        let mut o = Ordinary::new(11, 20_000);
        for h in [0, 15, 200] {
            let events = o.hour(h).expect("renders");
            let written: u64 = events.iter().map(|e| 1 + u64::from(e.redeliver)).sum();
            assert_eq!(written, o.schedule.counts[h]);
            let start = hour_start(h);
            assert!(
                events
                    .iter()
                    .all(|e| (start..start + HOUR).contains(&e.time))
            );
        }
    }

    #[test]
    fn records_are_cloudtrail_shaped() {
        let mut rng = Rng::new(3);
        for (pi, p) in PRINCIPALS.iter().enumerate() {
            for k in 0..40 {
                let d = make(3, pi, START + 50 * HOUR + k, &mut rng);
                let v: serde_json::Value =
                    serde_json::from_str(&d.render().expect("renders")).expect("json");
                for field in [
                    "eventVersion",
                    "userIdentity",
                    "eventTime",
                    "eventSource",
                    "eventName",
                    "awsRegion",
                    "sourceIPAddress",
                    "userAgent",
                    "requestID",
                    "eventID",
                    "readOnly",
                    "eventType",
                    "managementEvent",
                    "recipientAccountId",
                    "eventCategory",
                ] {
                    assert!(v.get(field).is_some(), "{} lacks {field}: {v}", p.label);
                }
                assert!(catalog::REGIONS.contains(&d.region));
                if d.data {
                    assert_eq!(v["managementEvent"], false);
                    assert!(v["requestParameters"]["bucketName"].is_string());
                    assert!(v["additionalEventData"]["bytesTransferredOut"].is_u64());
                    assert!(v["resources"].is_array());
                }
                if d.read_only && d.source != "sts.amazonaws.com" && d.name != "ConsoleLogin" {
                    assert!(v["responseElements"].is_null(), "{v}");
                }
            }
        }
    }

    #[test]
    fn static_parameters_are_valid_json() {
        for p in &PRINCIPALS {
            for (_, call) in p.calls {
                if let Shape::Static(text) = call.shape {
                    assert!(
                        serde_json::from_str::<serde_json::Value>(text).is_ok(),
                        "{text}"
                    );
                }
            }
        }
    }
}
