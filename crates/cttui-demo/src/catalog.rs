//! Who acts in the demo account: the account, its buckets, and a few dozen principals with their
//! habits (when they work, from where, with which client, which calls).
use super::calls::{self, Call};

pub const ACCOUNT: &str = "111122223333";
/// 2024-04-01T00:00:00Z, a Monday.
pub const START: i64 = 1_711_929_600;
pub const DAYS: i64 = 21;
pub const HOUR: i64 = 3600;
pub const DAY: i64 = 24 * HOUR;
pub const END: i64 = START + DAYS * DAY;

pub const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "us-west-2"];
pub const TRAIL_NAME: &str = "org-management-trail";
pub const TRAIL_BUCKET: &str = "acme-cloudtrail-logs";

/// What kind of objects a bucket holds: decides keys and sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// customers/cust-NNNNNN/profile.json, read by the web app.
    Profiles,
    /// exports/customer-pii/dt=YYYY-MM-DD/customers-part-NNNN.csv.gz, written nightly.
    Exports,
    Assets,
    Analytics,
    Finance,
    /// The trail's own bucket: no data events are logged for it.
    Trail,
}

#[derive(Debug)]
pub struct Bucket {
    pub name: &'static str,
    pub region: &'static str,
    pub keys: Keys,
}

pub const CUSTOMER_DATA: Bucket = Bucket {
    name: "acme-customer-data",
    region: "us-east-1",
    keys: Keys::Profiles,
};
/// The same bucket seen through its nightly export prefix.
pub const CUSTOMER_DATA_EXPORTS: Bucket = Bucket {
    keys: Keys::Exports,
    ..CUSTOMER_DATA
};
pub const ASSETS: Bucket = Bucket {
    name: "acme-webapp-assets",
    region: "us-east-1",
    keys: Keys::Assets,
};
pub const ANALYTICS: Bucket = Bucket {
    name: "acme-analytics-exports",
    region: "us-west-2",
    keys: Keys::Analytics,
};
pub const FINANCE: Bucket = Bucket {
    name: "acme-finance-reports",
    region: "eu-west-1",
    keys: Keys::Finance,
};
pub const TRAIL: Bucket = Bucket {
    name: TRAIL_BUCKET,
    region: "us-east-1",
    keys: Keys::Trail,
};

/// Every bucket of the account, for bucket-level management calls.
pub const BUCKETS: [&Bucket; 5] = [&CUSTOMER_DATA, &ASSETS, &ANALYTICS, &FINANCE, &TRAIL];

/// When a principal is active, as integer weights per hour (integers keep the schedule exact on
/// every platform).
#[derive(Debug, Clone, Copy)]
pub enum Rhythm {
    /// People at work: weekday office hours in their time zone (offset from UTC in hours).
    Office { utc_offset: i64 },
    /// Customer-driven traffic of the web app: all day, busiest in US evenings.
    Customers,
    /// Around the clock.
    Flat,
    /// A batch job that runs in one UTC hour every night.
    Nightly { utc_hour: i64 },
    /// Deployments follow the US office, plus a nightly plan at 06 UTC.
    Ci,
}

const OFFICE: [u64; 24] = [
    1, 1, 1, 1, 1, 1, 2, 5, 12, 20, 20, 20, 14, 20, 20, 18, 16, 10, 5, 3, 2, 2, 1, 1,
];
const CUSTOMERS: [u64; 24] = [
    6, 4, 3, 2, 2, 2, 3, 5, 7, 9, 10, 10, 10, 10, 10, 10, 10, 10, 11, 12, 12, 11, 9, 7,
];

/// Hour of day (0..24) and whether the day is a weekend, `offset` hours from UTC.
fn local(t: i64, offset: i64) -> (usize, bool) {
    let local = t + offset * HOUR;
    let hour = local.rem_euclid(DAY) / HOUR;
    // 1970-01-01 was a Thursday: day 0 is weekday index 3 (Monday = 0).
    let weekday = (local.div_euclid(DAY) + 3).rem_euclid(7);
    (hour as usize, weekday >= 5)
}

impl Rhythm {
    /// The activity weight of the hour starting at `t`.
    pub fn weight(self, t: i64) -> u64 {
        match self {
            Rhythm::Office { utc_offset } => {
                let (h, weekend) = local(t, utc_offset);
                OFFICE[h] * if weekend { 1 } else { 10 }
            }
            Rhythm::Customers => {
                let (h, weekend) = local(t, -4);
                CUSTOMERS[h] * if weekend { 9 } else { 10 }
            }
            Rhythm::Flat => 10,
            Rhythm::Nightly { utc_hour } => u64::from(local(t, 0).0 as i64 == utc_hour),
            Rhythm::Ci => {
                let (h, _) = local(t, 0);
                Rhythm::Office { utc_offset: -4 }.weight(t) + if h == 6 { 150 } else { 0 }
            }
        }
    }
}

/// How a role's sessions are named.
#[derive(Debug, Clone, Copy)]
pub enum Session {
    /// An EC2 instance profile: the session is the instance id.
    Instance(&'static str),
    /// A fixed session name (Lambda function, GitHubActions, AWSConfig-Describe).
    Named(&'static str),
    /// One session per run: the prefix plus a run number.
    Run(&'static str),
    /// An ECS task: the session is the task id.
    Task,
}

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// An IAM user working in the console: temporary keys per sign-in, MFA.
    ConsoleUser,
    /// An IAM user with a long-term access key (CLI, scripts).
    KeyUser,
    Role {
        role: &'static str,
        session: Session,
    },
    /// OIDC federation (GitHub Actions) calling AssumeRoleWithWebIdentity.
    WebIdentity { subject: &'static str },
    /// An AWS service acting for the account.
    Service { host: &'static str },
}

/// What a principal's client writes as its user agent.
#[derive(Debug, Clone, Copy)]
pub enum Agent {
    Browser(&'static str),
    /// The AWS CLI: the command is appended (`command/ec2.describe-instances`).
    Cli(&'static str),
    Sdk(&'static str),
    /// The service's host name, as CloudTrail writes for AWS services.
    Host,
}

#[derive(Debug)]
pub struct Principal {
    /// The user, role or service name.
    pub label: &'static str,
    /// One line for the README.
    pub about: &'static str,
    pub kind: Kind,
    /// Relative share of ordinary traffic.
    pub share: u64,
    pub rhythm: Rhythm,
    pub regions: &'static [(u32, &'static str)],
    pub ips: &'static [&'static str],
    pub agent: Agent,
    pub calls: &'static [(u32, &'static Call)],
}

impl Principal {
    pub fn is_service(&self) -> bool {
        matches!(self.kind, Kind::Service { .. })
    }
}

const CHROME_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36";
const EDGE_WIN: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36 Edg/123.0.2420.65";
const FIREFOX_MAC: &str =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:124.0) Gecko/20100101 Firefox/124.0";
const CHROME_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36";

pub const WEBAPP_ROLE: &str = "webapp-prod-ec2-role";
pub const WEBAPP_INSTANCE: &str = "i-0a3f5c9e27b14d6f8";
pub const WEBAPP_IP: &str = "10.0.12.34";
pub const WEBAPP_AGENT: &str = "aws-sdk-java/2.25.11 Linux/6.1.79-99.164.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy";

const NY: &[(u32, &str)] = &[(8, "us-east-1"), (2, "us-west-2")];
const DUBLIN: &[(u32, &str)] = &[(6, "eu-west-1"), (4, "us-east-1")];
const NY_IPS: &[&str] = &["192.0.2.10", "192.0.2.11", "198.51.100.21"];
const DUBLIN_IPS: &[&str] = &["192.0.2.40", "198.51.100.22"];

use calls::*;

const PLATFORM: &[(u32, &Call)] = &[
    (12, &DESCRIBE_INSTANCES),
    (6, &DESCRIBE_INSTANCE_STATUS),
    (4, &DESCRIBE_SECURITY_GROUPS),
    (3, &DESCRIBE_VPCS),
    (2, &DESCRIBE_SUBNETS),
    (2, &DESCRIBE_VOLUMES),
    (2, &START_INSTANCES),
    (2, &STOP_INSTANCES),
    (2, &CREATE_TAGS),
    (5, &GET_ROLE),
    (3, &LIST_ROLES),
    (3, &LIST_ATTACHED_ROLE_POLICIES),
    (4, &DESCRIBE_LOG_GROUPS),
    (5, &FILTER_LOG_EVENTS),
    (3, &GET_LOG_EVENTS),
    (3, &LIST_BUCKETS),
    (2, &GET_BUCKET_POLICY),
    (2, &GET_BUCKET_VERSIONING),
    (2, &DESCRIBE_STACKS),
    (2, &GET_PARAMETERS_BY_PATH),
    (2, &DESCRIBE_INSTANCE_INFORMATION),
    (2, &KMS_LIST_KEYS),
    (3, &CONSOLE_LOGIN),
];
const DEVELOPER: &[(u32, &Call)] = &[
    (8, &LIST_FUNCTIONS),
    (8, &GET_FUNCTION),
    (4, &GET_FUNCTION_CONFIGURATION),
    (8, &FILTER_LOG_EVENTS),
    (6, &GET_LOG_EVENTS),
    (4, &DESCRIBE_LOG_GROUPS),
    (3, &DESCRIBE_INSTANCES),
    (3, &DESCRIBE_SECRET),
    (2, &LIST_SECRETS),
    (3, &DESCRIBE_STACKS),
    (2, &LIST_BUCKETS),
    (3, &LIST_ASSETS),
    (2, &GET_ASSET),
    (2, &GET_APP_PARAMETER),
    (3, &CONSOLE_LOGIN),
];
const SECURITY: &[(u32, &Call)] = &[
    (10, &LOOKUP_EVENTS),
    (4, &DESCRIBE_TRAILS),
    (4, &GET_TRAIL_STATUS),
    (5, &LIST_USERS),
    (5, &LIST_ROLES),
    (4, &GET_USER),
    (4, &GET_POLICY),
    (3, &GET_POLICY_VERSION),
    (3, &GET_ACCOUNT_SUMMARY),
    (4, &LIST_BUCKETS),
    (4, &GET_BUCKET_POLICY),
    (3, &GET_BUCKET_ACL),
    (3, &GET_BUCKET_PUBLIC_ACCESS_BLOCK),
    (2, &GET_BUCKET_ENCRYPTION),
    (2, &KMS_DESCRIBE_KEY),
    (2, &DESCRIBE_SECURITY_GROUPS),
    (3, &CONSOLE_LOGIN),
];
const DATA_ANALYST: &[(u32, &Call)] = &[
    (10, &GET_ANALYTICS),
    (5, &LIST_ANALYTICS),
    (3, &LIST_BUCKETS),
    (2, &GET_BUCKET_LOCATION),
    (2, &FILTER_LOG_EVENTS),
    (2, &GET_FUNCTION),
    (3, &CONSOLE_LOGIN),
];
const FINANCE_USER: &[(u32, &Call)] = &[
    (10, &GET_FINANCE),
    (5, &LIST_FINANCE),
    (3, &LIST_BUCKETS),
    (2, &GET_BUCKET_LOCATION),
    (3, &CONSOLE_LOGIN),
];
const MANAGER: &[(u32, &Call)] = &[
    (4, &DESCRIBE_INSTANCES),
    (3, &LIST_BUCKETS),
    (3, &GET_ACCOUNT_SUMMARY),
    (2, &DESCRIBE_STACKS),
    (2, &LIST_FUNCTIONS),
    (3, &CONSOLE_LOGIN),
];

const fn console(
    label: &'static str,
    about: &'static str,
    share: u64,
    utc_offset: i64,
    browser: &'static str,
    calls: &'static [(u32, &'static Call)],
) -> Principal {
    let dublin = utc_offset > 0;
    Principal {
        label,
        about,
        kind: Kind::ConsoleUser,
        share,
        rhythm: Rhythm::Office { utc_offset },
        regions: if dublin { DUBLIN } else { NY },
        ips: if dublin { DUBLIN_IPS } else { NY_IPS },
        agent: Agent::Browser(browser),
        calls,
    }
}

const fn service(
    host: &'static str,
    about: &'static str,
    share: u64,
    rhythm: Rhythm,
    regions: &'static [(u32, &'static str)],
    calls: &'static [(u32, &'static Call)],
) -> Principal {
    Principal {
        label: host,
        about,
        kind: Kind::Service { host },
        share,
        rhythm,
        regions,
        ips: &[],
        agent: Agent::Host,
        calls,
    }
}

const US_EAST: &[(u32, &str)] = &[(1, "us-east-1")];
const ALL_REGIONS: &[(u32, &str)] = &[(5, "us-east-1"), (3, "eu-west-1"), (3, "us-west-2")];

/// The index of the web app's instance role in [`PRINCIPALS`].
pub const WEBAPP: usize = 0;

pub static PRINCIPALS: [Principal; 31] = [
    Principal {
        label: WEBAPP_ROLE,
        about: "EC2 instance role of the production web app: reads customer profiles from acme-customer-data",
        kind: Kind::Role {
            role: WEBAPP_ROLE,
            session: Session::Instance(WEBAPP_INSTANCE),
        },
        share: 800,
        rhythm: Rhythm::Customers,
        regions: US_EAST,
        ips: &[WEBAPP_IP],
        agent: Agent::Sdk(WEBAPP_AGENT),
        calls: &[
            (170, &GET_PROFILE),
            (12, &PUT_PROFILE),
            (8, &HEAD_PROFILE),
            (4, &GET_APP_SECRET),
            (3, &GET_APP_PARAMETER),
            (2, &UPDATE_INSTANCE_INFORMATION),
            (1, &GET_CALLER_IDENTITY),
        ],
    },
    Principal {
        label: "orders-processor-lambda-role",
        about: "Lambda execution role of orders-processor (us-west-2)",
        kind: Kind::Role {
            role: "orders-processor-lambda-role",
            session: Session::Named("orders-processor"),
        },
        share: 60,
        rhythm: Rhythm::Customers,
        regions: &[(1, "us-west-2")],
        ips: &["10.2.33.17", "10.2.41.88"],
        agent: Agent::Sdk(
            "Boto3/1.34.42 md/Botocore#1.34.42 ua/2.0 os/linux#5.10.213-223.831.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.42",
        ),
        calls: &[
            (8, &GET_LAMBDA_SECRET),
            (6, &KMS_DECRYPT),
            (3, &CREATE_LOG_STREAM),
            (5, &GET_ANALYTICS),
            (3, &PUT_ANALYTICS),
        ],
    },
    Principal {
        label: "reporting-ecs-task-role",
        about: "ECS task role of the nightly reporting job (04 UTC): writes exports",
        kind: Kind::Role {
            role: "reporting-ecs-task-role",
            session: Session::Task,
        },
        share: 25,
        rhythm: Rhythm::Nightly { utc_hour: 4 },
        regions: &[(1, "eu-west-1")],
        ips: &["10.1.8.52"],
        agent: Agent::Sdk(
            "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/s3#1.53.0",
        ),
        calls: &[
            (10, &PUT_EXPORT),
            (6, &PUT_ANALYTICS),
            (2, &KMS_GENERATE_DATA_KEY),
            (1, &CREATE_ECS_LOG_STREAM),
            (1, &GET_CALLER_IDENTITY),
        ],
    },
    Principal {
        label: "github-actions-deploy",
        about: "CI/CD role assumed by GitHub Actions (OIDC) for deployments",
        kind: Kind::Role {
            role: "github-actions-deploy",
            session: Session::Named("GitHubActions"),
        },
        share: 20,
        rhythm: Rhythm::Office { utc_offset: -4 },
        regions: &[(3, "us-east-1"), (1, "us-west-2")],
        ips: &["198.51.100.140", "198.51.100.141", "198.51.100.142"],
        agent: Agent::Cli(
            "aws-cli/2.15.34 Python/3.11.8 Linux/6.5.0-1017-azure exe/x86_64.ubuntu.22 prompt/off",
        ),
        calls: &[
            (4, &GET_CALLER_IDENTITY),
            (4, &GET_AUTHORIZATION_TOKEN),
            (6, &PUT_ASSET),
            (2, &LIST_ASSETS),
            (3, &UPDATE_FUNCTION_CODE),
            (3, &GET_FUNCTION_CONFIGURATION),
            (4, &DESCRIBE_STACKS),
        ],
    },
    Principal {
        label: "terraform-ci",
        about: "CI/CD role running terraform plan/apply (nightly plan at 06 UTC)",
        kind: Kind::Role {
            role: "terraform-ci",
            session: Session::Run("terraform-run"),
        },
        share: 60,
        rhythm: Rhythm::Ci,
        regions: ALL_REGIONS,
        ips: &["10.0.200.15"],
        agent: Agent::Sdk(
            "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.43.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 ua/2.0 os/linux lang/go#1.21.8 md/GOOS#linux md/GOARCH#amd64",
        ),
        calls: &[
            (8, &DESCRIBE_INSTANCES),
            (5, &DESCRIBE_SECURITY_GROUPS),
            (4, &DESCRIBE_VPCS),
            (4, &DESCRIBE_SUBNETS),
            (6, &GET_ROLE),
            (4, &GET_POLICY),
            (4, &GET_POLICY_VERSION),
            (4, &LIST_ROLE_POLICIES),
            (4, &LIST_ATTACHED_ROLE_POLICIES),
            (3, &GET_BUCKET_POLICY),
            (3, &GET_BUCKET_ACL),
            (3, &GET_BUCKET_VERSIONING),
            (3, &GET_BUCKET_ENCRYPTION),
            (3, &GET_BUCKET_TAGGING),
            (3, &GET_BUCKET_PUBLIC_ACCESS_BLOCK),
            (3, &KMS_DESCRIBE_KEY),
            (2, &DESCRIBE_LOG_GROUPS),
            (3, &GET_FUNCTION),
            (1, &GET_CALLER_IDENTITY),
            (1, &DESCRIBE_REGIONS),
        ],
    },
    Principal {
        label: "AWSServiceRoleForConfig",
        about: "AWS Config's service-linked role recording resource configuration",
        kind: Kind::Role {
            role: "aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
            session: Session::Named("AWSConfig-Describe"),
        },
        share: 60,
        rhythm: Rhythm::Flat,
        regions: ALL_REGIONS,
        ips: &["config.amazonaws.com"],
        agent: Agent::Sdk("config.amazonaws.com"),
        calls: &[
            (6, &DESCRIBE_INSTANCES),
            (4, &DESCRIBE_SECURITY_GROUPS),
            (3, &DESCRIBE_VOLUMES),
            (3, &DESCRIBE_VPCS),
            (3, &GET_ROLE),
            (3, &GET_POLICY),
            (2, &LIST_ATTACHED_ROLE_POLICIES),
            (3, &GET_BUCKET_ACL),
            (3, &GET_BUCKET_POLICY),
            (2, &GET_BUCKET_VERSIONING),
            (2, &GET_BUCKET_ENCRYPTION),
            (2, &GET_BUCKET_PUBLIC_ACCESS_BLOCK),
            (2, &KMS_DESCRIBE_KEY),
        ],
    },
    console(
        "alice.nguyen",
        "platform engineer, New York (console, MFA)",
        18,
        -4,
        CHROME_MAC,
        PLATFORM,
    ),
    console(
        "bob.schmidt",
        "platform engineer, Dublin (console, MFA)",
        14,
        1,
        FIREFOX_MAC,
        PLATFORM,
    ),
    console(
        "carol.jones",
        "security engineer, New York (console, MFA)",
        12,
        -4,
        CHROME_MAC,
        SECURITY,
    ),
    console(
        "dan.okafor",
        "developer, New York (console, MFA)",
        14,
        -4,
        EDGE_WIN,
        DEVELOPER,
    ),
    console(
        "eve.martin",
        "security engineer, Dublin (console, MFA)",
        8,
        1,
        CHROME_LINUX,
        SECURITY,
    ),
    console(
        "frank.li",
        "data analyst, New York (console, MFA)",
        10,
        -4,
        CHROME_MAC,
        DATA_ANALYST,
    ),
    console(
        "grace.kim",
        "finance analyst, New York (console, MFA)",
        6,
        -4,
        EDGE_WIN,
        FINANCE_USER,
    ),
    console(
        "henry.ross",
        "developer, New York (console, MFA)",
        12,
        -4,
        CHROME_LINUX,
        DEVELOPER,
    ),
    console(
        "isabel.garcia",
        "developer, Dublin (console, MFA)",
        12,
        1,
        CHROME_MAC,
        DEVELOPER,
    ),
    console(
        "jack.wilson",
        "operations, New York (console, MFA)",
        10,
        -4,
        EDGE_WIN,
        PLATFORM,
    ),
    console(
        "karen.patel",
        "engineering manager, New York (console, MFA)",
        4,
        -4,
        CHROME_MAC,
        MANAGER,
    ),
    console(
        "leo.fischer",
        "operations, Dublin (console, MFA)",
        9,
        1,
        FIREFOX_MAC,
        PLATFORM,
    ),
    console(
        "maya.cohen",
        "developer, New York (console, MFA)",
        10,
        -4,
        CHROME_MAC,
        DEVELOPER,
    ),
    console(
        "nora.berg",
        "data analyst, Dublin (console, MFA)",
        7,
        1,
        FIREFOX_MAC,
        DATA_ANALYST,
    ),
    Principal {
        label: "ravi.sharma",
        about: "SRE using the AWS CLI with a long-term access key (no MFA)",
        kind: Kind::KeyUser,
        share: 15,
        rhythm: Rhythm::Office { utc_offset: -4 },
        regions: NY,
        ips: &["198.51.100.23", "192.0.2.12"],
        agent: Agent::Cli("aws-cli/2.15.17 Python/3.11.6 Darwin/23.4.0 exe/x86_64 prompt/off"),
        calls: &[
            (8, &DESCRIBE_INSTANCES),
            (4, &DESCRIBE_INSTANCE_STATUS),
            (5, &FILTER_LOG_EVENTS),
            (3, &GET_CALLER_IDENTITY),
            (3, &LIST_BUCKETS),
            (2, &ASSUME_DEPLOY_ROLE),
            (2, &GET_PARAMETERS_BY_PATH),
            (2, &DESCRIBE_STACKS),
        ],
    },
    Principal {
        label: "ops-automation",
        about: "IAM user with an access key used by an on-premises inventory script (boto3)",
        kind: Kind::KeyUser,
        share: 20,
        rhythm: Rhythm::Flat,
        regions: ALL_REGIONS,
        ips: &["192.0.2.50"],
        agent: Agent::Sdk(
            "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.15.0-101-generic md/arch#x86_64 lang/python#3.10.12 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
        ),
        calls: &[
            (6, &DESCRIBE_INSTANCES),
            (3, &DESCRIBE_VOLUMES),
            (2, &DESCRIBE_REGIONS),
            (2, &LIST_BUCKETS),
            (2, &GET_BUCKET_LOCATION),
            (1, &GET_CALLER_IDENTITY),
        ],
    },
    Principal {
        label: "token.actions.githubusercontent.com",
        about: "GitHub Actions OIDC federation into github-actions-deploy",
        kind: Kind::WebIdentity {
            subject: "repo:acme-corp/webapp:ref:refs/heads/main",
        },
        share: 6,
        rhythm: Rhythm::Office { utc_offset: -4 },
        regions: US_EAST,
        ips: &["198.51.100.140", "198.51.100.141", "198.51.100.142"],
        agent: Agent::Sdk(
            "aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.11.1 api/sts#3.540.0",
        ),
        calls: &[(1, &WEB_IDENTITY_DEPLOY)],
    },
    service(
        "config.amazonaws.com",
        "AWS Config assuming its service-linked role",
        10,
        Rhythm::Flat,
        ALL_REGIONS,
        &[(1, &CONFIG_ASSUMES)],
    ),
    service(
        "ec2.amazonaws.com",
        "EC2 refreshing the web app's instance-profile credentials",
        6,
        Rhythm::Flat,
        US_EAST,
        &[(1, &EC2_ASSUMES)],
    ),
    service(
        "lambda.amazonaws.com",
        "Lambda assuming the orders-processor execution role",
        12,
        Rhythm::Customers,
        &[(1, "us-west-2")],
        &[(1, &LAMBDA_ASSUMES)],
    ),
    service(
        "ecs-tasks.amazonaws.com",
        "ECS assuming the reporting task role",
        2,
        Rhythm::Nightly { utc_hour: 4 },
        &[(1, "eu-west-1")],
        &[(1, &ECS_ASSUMES)],
    ),
    service(
        "cloudtrail.amazonaws.com",
        "CloudTrail checking its log bucket's ACL before deliveries",
        20,
        Rhythm::Flat,
        US_EAST,
        &[(1, &TRAIL_BUCKET_ACL)],
    ),
    service(
        "kms.amazonaws.com",
        "KMS automatic key rotation (AwsServiceEvent)",
        1,
        Rhythm::Nightly { utc_hour: 9 },
        ALL_REGIONS,
        &[(1, &ROTATE_KEY)],
    ),
    Principal {
        label: "ReadOnlyAudit",
        about: "audit role assumed by ravi.sharma for read-only reviews",
        kind: Kind::Role {
            role: "ReadOnlyAudit",
            session: Session::Named("ravi.sharma"),
        },
        share: 8,
        rhythm: Rhythm::Office { utc_offset: -4 },
        regions: NY,
        ips: &["198.51.100.23"],
        agent: Agent::Cli("aws-cli/2.15.17 Python/3.11.6 Darwin/23.4.0 exe/x86_64 prompt/off"),
        calls: &[
            (4, &LIST_ROLES),
            (3, &LIST_USERS),
            (3, &GET_ACCOUNT_SUMMARY),
            (3, &GET_BUCKET_POLICY),
            (2, &GET_BUCKET_PUBLIC_ACCESS_BLOCK),
            (2, &DESCRIBE_TRAILS),
        ],
    },
    Principal {
        label: "backup-restore-role",
        about: "role assumed by the nightly backup verification job (02 UTC)",
        kind: Kind::Role {
            role: "backup-restore-role",
            session: Session::Run("backup-verify"),
        },
        share: 8,
        rhythm: Rhythm::Nightly { utc_hour: 2 },
        regions: &[(2, "us-east-1"), (1, "eu-west-1")],
        ips: &["10.0.40.9"],
        agent: Agent::Sdk(
            "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.79-99.164.amzn2023.x86_64 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
        ),
        calls: &[
            (5, &DESCRIBE_VOLUMES),
            (3, &DESCRIBE_INSTANCES),
            (2, &KMS_DESCRIBE_KEY),
            (2, &GET_BUCKET_VERSIONING),
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_hours_outweigh_nights_and_weekends() {
        let office = Rhythm::Office { utc_offset: -4 };
        // START is Monday 00:00 UTC = Sunday 20:00 in New York.
        let monday_ny_10am = START + 14 * HOUR;
        let monday_ny_3am = START + 7 * HOUR;
        let saturday_ny_10am = START + 5 * DAY + 14 * HOUR;
        assert!(office.weight(monday_ny_10am) > 5 * office.weight(monday_ny_3am));
        assert!(office.weight(monday_ny_10am) > 5 * office.weight(saturday_ny_10am));
        let nightly = Rhythm::Nightly { utc_hour: 4 };
        assert_eq!(nightly.weight(START + 4 * HOUR), 1);
        assert_eq!(nightly.weight(START + 5 * HOUR), 0);
    }

    #[test]
    fn principals_are_distinct_and_usable() {
        let mut labels: Vec<&str> = PRINCIPALS.iter().map(|p| p.label).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), PRINCIPALS.len());
        assert_eq!(PRINCIPALS[WEBAPP].label, WEBAPP_ROLE);
        for p in &PRINCIPALS {
            assert!(
                p.share > 0 && !p.calls.is_empty() && !p.regions.is_empty(),
                "{}",
                p.label
            );
            assert!(p.is_service() || !p.ips.is_empty(), "{}", p.label);
            let active: u64 = (0..DAYS * 24)
                .map(|h| p.rhythm.weight(START + h * HOUR))
                .sum();
            assert!(active > 0, "{} never active", p.label);
        }
    }
}
