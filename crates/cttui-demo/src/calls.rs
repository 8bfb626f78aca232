//! The API calls the demo principals make: event source and name, what kind of event CloudTrail
//! records for it, how its parameters look, and how it plausibly fails.
use super::catalog::{self, Bucket};

/// Which region an event is recorded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The principal's working region.
    Home,
    /// Global services (IAM, sign-in, CloudTrail's own trail) record in us-east-1.
    Global,
    /// S3 records in the bucket's region.
    Bucket,
}

/// How the request parameters (and response, resources) of a call are filled in.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// No parameters.
    Null,
    /// Fixed parameters, given as JSON text.
    Static(&'static str),
    /// One of the account's instances.
    Instance,
    Role,
    User,
    Policy,
    /// sts:AssumeRole of the given role (session named after the caller).
    AssumeRole(&'static str),
    /// A bucket sub-resource read through the management API (`policy`, `acl`, ...), on any
    /// of the account's buckets.
    BucketSub(&'static str),
    /// CloudTrail's ACL check on its own log bucket.
    TrailAcl,
    ListBuckets,
    /// An S3 object-level (data) call on the bucket.
    Object(&'static Bucket),
    /// ListObjects (V2) on the bucket, a data event.
    ListObjects(&'static Bucket),
    Secret(&'static [&'static str]),
    Parameter(&'static [&'static str]),
    ParameterPath(&'static str),
    KmsDecrypt,
    KmsKey,
    LogGroup(&'static [&'static str]),
    LogStream(&'static [&'static str]),
    Function(&'static [&'static str]),
    Stack(&'static [&'static str]),
    Trail,
    LookupEvents,
    InstanceInformation,
    ConsoleLogin,
    /// An AWS service assuming one of the account's roles.
    ServiceAssumeRole(&'static str),
    /// A web-identity (OIDC) federation into the given role.
    WebIdentity(&'static str),
    RotateKey,
}

/// A way a call fails, as CloudTrail records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fail {
    /// IAM-policy denial with the "is not authorized to perform" message.
    AccessDenied,
    /// S3's terse denial.
    S3AccessDenied,
    Ec2Unauthorized,
    Throttling,
    Ec2Throttle,
    NoSuchKey,
    NoSuchBucketPolicy,
    NoEncryption,
    NoTagSet,
    NoSuchEntity,
    SecretNotFound,
    ParameterNotFound,
    Validation,
    LogGroupNotFound,
    StreamExists,
    FunctionNotFound,
    StackNotFound,
    /// A console sign-in with a wrong password (no errorCode, only a message).
    LoginFailed,
}

impl Fail {
    /// errorCode (absent for failed sign-ins) and errorMessage (absent where AWS leaves it out).
    pub fn describe(
        self,
        service: &str,
        name: &str,
        arn: &str,
    ) -> (Option<&'static str>, Option<String>) {
        let name = iam_action(name);
        let denied = || {
            format!(
                "User: {arn} is not authorized to perform: {service}:{name} because no identity-based policy allows the {service}:{name} action"
            )
        };
        let fixed = |code, msg: &str| (Some(code), Some(msg.to_owned()));
        match self {
            Fail::AccessDenied => (Some("AccessDenied"), Some(denied())),
            Fail::S3AccessDenied => fixed("AccessDenied", "Access Denied"),
            Fail::Ec2Unauthorized => (
                Some("Client.UnauthorizedOperation"),
                Some(format!(
                    "You are not authorized to perform this operation. {}",
                    denied()
                )),
            ),
            Fail::Throttling => fixed("ThrottlingException", "Rate exceeded"),
            Fail::Ec2Throttle => fixed("Client.RequestLimitExceeded", "Request limit exceeded."),
            Fail::NoSuchKey => fixed("NoSuchKey", "The specified key does not exist."),
            Fail::NoSuchBucketPolicy => {
                fixed("NoSuchBucketPolicy", "The bucket policy does not exist")
            }
            Fail::NoEncryption => fixed(
                "ServerSideEncryptionConfigurationNotFoundError",
                "The server side encryption configuration was not found",
            ),
            Fail::NoTagSet => fixed("NoSuchTagSet", "The TagSet does not exist"),
            Fail::NoSuchEntity => fixed(
                "NoSuchEntityException",
                "The role with name legacy-batch-role cannot be found.",
            ),
            Fail::SecretNotFound => fixed(
                "ResourceNotFoundException",
                "Secrets Manager can't find the specified secret.",
            ),
            Fail::ParameterNotFound => (Some("ParameterNotFound"), None),
            Fail::Validation => fixed(
                "ValidationException",
                "1 validation error detected: Value '100' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50",
            ),
            Fail::LogGroupNotFound => fixed(
                "ResourceNotFoundException",
                "The specified log group does not exist.",
            ),
            Fail::StreamExists => fixed(
                "ResourceAlreadyExistsException",
                "The specified log stream already exists",
            ),
            Fail::FunctionNotFound => (
                Some("ResourceNotFoundException"),
                Some(format!(
                    "Function not found: arn:aws:lambda:us-east-1:{}:function:orders-processor-old",
                    catalog::ACCOUNT
                )),
            ),
            Fail::StackNotFound => fixed(
                "ValidationException",
                "Stack with id webapp-staging does not exist",
            ),
            Fail::LoginFailed => (None, Some("Failed authentication".to_owned())),
        }
    }
}

/// The CloudTrail event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    ApiCall,
    ConsoleSignIn,
    ServiceEvent,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ApiCall => "AwsApiCall",
            EventType::ConsoleSignIn => "AwsConsoleSignIn",
            EventType::ServiceEvent => "AwsServiceEvent",
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Call {
    /// The service's short name: the event source is `<service>.amazonaws.com`.
    pub service: &'static str,
    pub name: &'static str,
    pub read_only: bool,
    pub scope: Scope,
    pub shape: Shape,
    pub kind: EventType,
    /// Chance of failing, per 10 000 calls.
    pub fail_per_10k: u64,
    pub fails: &'static [(u32, Fail)],
}

/// The usual failure chance of an API call: with the mix of calls below, about 2.5 % of ordinary
/// events fail, in line with busy real accounts.
const FAIL_RATE: u64 = 300;

const fn read(
    service: &'static str,
    name: &'static str,
    scope: Scope,
    shape: Shape,
    fails: &'static [(u32, Fail)],
) -> Call {
    Call {
        service,
        name,
        read_only: true,
        scope,
        shape,
        kind: EventType::ApiCall,
        fail_per_10k: if fails.is_empty() { 0 } else { FAIL_RATE },
        fails,
    }
}

const fn write(
    service: &'static str,
    name: &'static str,
    scope: Scope,
    shape: Shape,
    fails: &'static [(u32, Fail)],
) -> Call {
    Call {
        read_only: false,
        ..read(service, name, scope, shape, fails)
    }
}

impl Call {
    pub fn event_source(&self) -> String {
        format!("{}.amazonaws.com", self.service)
    }

    /// S3 object-level calls are data events; everything else here is a management event.
    pub fn is_data(&self) -> bool {
        matches!(self.shape, Shape::Object(_) | Shape::ListObjects(_))
    }

    /// The AWS CLI command that makes this call (`ec2.describe-instances`), for CLI user agents.
    pub fn cli_command(&self) -> String {
        let mut out = String::with_capacity(self.name.len() + 8);
        // `aws s3api ...` is the CLI command family for single S3 API calls.
        out.push_str(if self.service == "s3" {
            "s3api"
        } else {
            self.service
        });
        out.push('.');
        for (i, c) in iam_action(self.name).chars().enumerate() {
            if c.is_ascii_uppercase() {
                if i > 0 {
                    out.push('-');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }
}

/// The IAM action of an event name: Lambda's CloudTrail names carry an API version suffix
/// (`ListFunctions20150331`, `GetFunction20150331v2`) that actions and CLI commands do not.
pub fn iam_action(name: &str) -> &str {
    name.find("2015").map_or(name, |at| &name[..at])
}

// Failure mixes, by service.
const IAM_FAILS: &[(u32, Fail)] = &[
    (3, Fail::AccessDenied),
    (2, Fail::NoSuchEntity),
    (1, Fail::Throttling),
];
const EC2_FAILS: &[(u32, Fail)] = &[(3, Fail::Ec2Throttle), (1, Fail::Ec2Unauthorized)];
const S3_FAILS: &[(u32, Fail)] = &[(1, Fail::S3AccessDenied)];
const GET_OBJECT_FAILS: &[(u32, Fail)] = &[(6, Fail::NoSuchKey), (1, Fail::S3AccessDenied)];
const SECRET_FAILS: &[(u32, Fail)] = &[
    (2, Fail::AccessDenied),
    (1, Fail::SecretNotFound),
    (1, Fail::Throttling),
];
const SSM_FAILS: &[(u32, Fail)] = &[
    (2, Fail::ParameterNotFound),
    (2, Fail::Throttling),
    (1, Fail::Validation),
];
const KMS_FAILS: &[(u32, Fail)] = &[(1, Fail::AccessDenied), (2, Fail::Throttling)];
const LOGS_FAILS: &[(u32, Fail)] = &[(1, Fail::LogGroupNotFound), (1, Fail::Throttling)];
const LAMBDA_FAILS: &[(u32, Fail)] = &[(1, Fail::AccessDenied), (1, Fail::FunctionNotFound)];
const GENERIC_FAILS: &[(u32, Fail)] = &[(2, Fail::AccessDenied), (1, Fail::Throttling)];
const NO_FAILS: &[(u32, Fail)] = &[];

use Scope::{Bucket as InBucket, Global, Home};

// EC2
pub const DESCRIBE_INSTANCES: Call = read(
    "ec2",
    "DescribeInstances",
    Home,
    Shape::Static(r#"{"instancesSet":{},"filterSet":{}}"#),
    EC2_FAILS,
);
pub const DESCRIBE_INSTANCE_STATUS: Call = read(
    "ec2",
    "DescribeInstanceStatus",
    Home,
    Shape::Instance,
    EC2_FAILS,
);
pub const DESCRIBE_SECURITY_GROUPS: Call = read(
    "ec2",
    "DescribeSecurityGroups",
    Home,
    Shape::Static(r#"{"securityGroupSet":{},"securityGroupIdSet":{},"filterSet":{}}"#),
    EC2_FAILS,
);
pub const DESCRIBE_VPCS: Call = read(
    "ec2",
    "DescribeVpcs",
    Home,
    Shape::Static(r#"{"vpcSet":{},"filterSet":{}}"#),
    EC2_FAILS,
);
pub const DESCRIBE_SUBNETS: Call = read(
    "ec2",
    "DescribeSubnets",
    Home,
    Shape::Static(r#"{"subnetSet":{},"filterSet":{}}"#),
    EC2_FAILS,
);
pub const DESCRIBE_VOLUMES: Call = read(
    "ec2",
    "DescribeVolumes",
    Home,
    Shape::Static(r#"{"volumeSet":{},"filterSet":{}}"#),
    EC2_FAILS,
);
pub const DESCRIBE_REGIONS: Call = read(
    "ec2",
    "DescribeRegions",
    Home,
    Shape::Static(r#"{"regionSet":{}}"#),
    EC2_FAILS,
);
pub const START_INSTANCES: Call = write("ec2", "StartInstances", Home, Shape::Instance, EC2_FAILS);
pub const STOP_INSTANCES: Call = write("ec2", "StopInstances", Home, Shape::Instance, EC2_FAILS);
pub const CREATE_TAGS: Call = write("ec2", "CreateTags", Home, Shape::Instance, EC2_FAILS);

// IAM (global, recorded in us-east-1)
pub const GET_ROLE: Call = read("iam", "GetRole", Global, Shape::Role, IAM_FAILS);
pub const GET_USER: Call = read("iam", "GetUser", Global, Shape::User, IAM_FAILS);
pub const GET_POLICY: Call = read("iam", "GetPolicy", Global, Shape::Policy, IAM_FAILS);
pub const GET_POLICY_VERSION: Call =
    read("iam", "GetPolicyVersion", Global, Shape::Policy, IAM_FAILS);
pub const LIST_ROLES: Call = read("iam", "ListRoles", Global, Shape::Null, IAM_FAILS);
pub const LIST_USERS: Call = read("iam", "ListUsers", Global, Shape::Null, IAM_FAILS);
pub const LIST_ATTACHED_ROLE_POLICIES: Call = read(
    "iam",
    "ListAttachedRolePolicies",
    Global,
    Shape::Role,
    IAM_FAILS,
);
pub const LIST_ROLE_POLICIES: Call =
    read("iam", "ListRolePolicies", Global, Shape::Role, IAM_FAILS);
pub const GET_ACCOUNT_SUMMARY: Call =
    read("iam", "GetAccountSummary", Global, Shape::Null, IAM_FAILS);

// STS
pub const GET_CALLER_IDENTITY: Call = read("sts", "GetCallerIdentity", Home, Shape::Null, NO_FAILS);
pub const ASSUME_DEPLOY_ROLE: Call = Call {
    fail_per_10k: 100,
    ..read(
        "sts",
        "AssumeRole",
        Home,
        Shape::AssumeRole("ReadOnlyAudit"),
        &[(1, Fail::AccessDenied)],
    )
};

// S3 management
pub const LIST_BUCKETS: Call = read("s3", "ListBuckets", Global, Shape::ListBuckets, S3_FAILS);
pub const GET_BUCKET_LOCATION: Call = read(
    "s3",
    "GetBucketLocation",
    InBucket,
    Shape::BucketSub("location"),
    S3_FAILS,
);
pub const GET_BUCKET_POLICY: Call = read(
    "s3",
    "GetBucketPolicy",
    InBucket,
    Shape::BucketSub("policy"),
    &[(3, Fail::NoSuchBucketPolicy), (1, Fail::S3AccessDenied)],
);
pub const GET_BUCKET_ACL: Call = read(
    "s3",
    "GetBucketAcl",
    InBucket,
    Shape::BucketSub("acl"),
    S3_FAILS,
);
pub const GET_BUCKET_VERSIONING: Call = read(
    "s3",
    "GetBucketVersioning",
    InBucket,
    Shape::BucketSub("versioning"),
    S3_FAILS,
);
pub const GET_BUCKET_ENCRYPTION: Call = read(
    "s3",
    "GetBucketEncryption",
    InBucket,
    Shape::BucketSub("encryption"),
    &[(2, Fail::NoEncryption), (1, Fail::S3AccessDenied)],
);
pub const GET_BUCKET_TAGGING: Call = read(
    "s3",
    "GetBucketTagging",
    InBucket,
    Shape::BucketSub("tagging"),
    &[(3, Fail::NoTagSet), (1, Fail::S3AccessDenied)],
);
pub const GET_BUCKET_PUBLIC_ACCESS_BLOCK: Call = read(
    "s3",
    "GetBucketPublicAccessBlock",
    InBucket,
    Shape::BucketSub("publicAccessBlock"),
    S3_FAILS,
);

// S3 data events
pub const GET_PROFILE: Call = read(
    "s3",
    "GetObject",
    InBucket,
    Shape::Object(&catalog::CUSTOMER_DATA),
    GET_OBJECT_FAILS,
);
pub const PUT_PROFILE: Call = write(
    "s3",
    "PutObject",
    InBucket,
    Shape::Object(&catalog::CUSTOMER_DATA),
    S3_FAILS,
);
pub const HEAD_PROFILE: Call = read(
    "s3",
    "HeadObject",
    InBucket,
    Shape::Object(&catalog::CUSTOMER_DATA),
    GET_OBJECT_FAILS,
);
pub const PUT_EXPORT: Call = write(
    "s3",
    "PutObject",
    InBucket,
    Shape::Object(&catalog::CUSTOMER_DATA_EXPORTS),
    S3_FAILS,
);
pub const PUT_ASSET: Call = write(
    "s3",
    "PutObject",
    InBucket,
    Shape::Object(&catalog::ASSETS),
    S3_FAILS,
);
pub const GET_ASSET: Call = read(
    "s3",
    "GetObject",
    InBucket,
    Shape::Object(&catalog::ASSETS),
    GET_OBJECT_FAILS,
);
pub const LIST_ASSETS: Call = read(
    "s3",
    "ListObjects",
    InBucket,
    Shape::ListObjects(&catalog::ASSETS),
    S3_FAILS,
);
pub const PUT_ANALYTICS: Call = write(
    "s3",
    "PutObject",
    InBucket,
    Shape::Object(&catalog::ANALYTICS),
    S3_FAILS,
);
pub const GET_ANALYTICS: Call = read(
    "s3",
    "GetObject",
    InBucket,
    Shape::Object(&catalog::ANALYTICS),
    GET_OBJECT_FAILS,
);
pub const LIST_ANALYTICS: Call = read(
    "s3",
    "ListObjects",
    InBucket,
    Shape::ListObjects(&catalog::ANALYTICS),
    S3_FAILS,
);
pub const GET_FINANCE: Call = read(
    "s3",
    "GetObject",
    InBucket,
    Shape::Object(&catalog::FINANCE),
    GET_OBJECT_FAILS,
);
pub const LIST_FINANCE: Call = read(
    "s3",
    "ListObjects",
    InBucket,
    Shape::ListObjects(&catalog::FINANCE),
    S3_FAILS,
);

// Secrets Manager and SSM Parameter Store
pub const GET_APP_SECRET: Call = read(
    "secretsmanager",
    "GetSecretValue",
    Home,
    Shape::Secret(&["prod/webapp/db-credentials", "prod/webapp/stripe-api-key"]),
    SECRET_FAILS,
);
pub const GET_LAMBDA_SECRET: Call = read(
    "secretsmanager",
    "GetSecretValue",
    Home,
    Shape::Secret(&["prod/orders/queue-credentials"]),
    SECRET_FAILS,
);
pub const DESCRIBE_SECRET: Call = read(
    "secretsmanager",
    "DescribeSecret",
    Home,
    Shape::Secret(&[
        "prod/webapp/db-credentials",
        "prod/orders/queue-credentials",
        "staging/webapp/db-credentials",
    ]),
    SECRET_FAILS,
);
pub const LIST_SECRETS: Call = read(
    "secretsmanager",
    "ListSecrets",
    Home,
    Shape::Null,
    SECRET_FAILS,
);
pub const GET_APP_PARAMETER: Call = read(
    "ssm",
    "GetParameter",
    Home,
    Shape::Parameter(&[
        "/prod/webapp/feature-flags",
        "/prod/webapp/api-endpoint",
        "/prod/webapp/cache-ttl",
    ]),
    SSM_FAILS,
);
pub const GET_PARAMETERS_BY_PATH: Call = read(
    "ssm",
    "GetParametersByPath",
    Home,
    Shape::ParameterPath("/prod/"),
    SSM_FAILS,
);
pub const UPDATE_INSTANCE_INFORMATION: Call = write(
    "ssm",
    "UpdateInstanceInformation",
    Home,
    Shape::InstanceInformation,
    NO_FAILS,
);
pub const DESCRIBE_INSTANCE_INFORMATION: Call = read(
    "ssm",
    "DescribeInstanceInformation",
    Home,
    Shape::Static(r#"{"maxResults":50}"#),
    SSM_FAILS,
);

// KMS
pub const KMS_DECRYPT: Call = read("kms", "Decrypt", Home, Shape::KmsDecrypt, KMS_FAILS);
pub const KMS_GENERATE_DATA_KEY: Call =
    read("kms", "GenerateDataKey", Home, Shape::KmsKey, KMS_FAILS);
pub const KMS_DESCRIBE_KEY: Call = read("kms", "DescribeKey", Home, Shape::KmsKey, KMS_FAILS);
pub const KMS_LIST_KEYS: Call = read("kms", "ListKeys", Home, Shape::Null, KMS_FAILS);

// CloudWatch Logs
pub const DESCRIBE_LOG_GROUPS: Call =
    read("logs", "DescribeLogGroups", Home, Shape::Null, LOGS_FAILS);
pub const FILTER_LOG_EVENTS: Call = read(
    "logs",
    "FilterLogEvents",
    Home,
    Shape::LogGroup(&[
        "/aws/lambda/orders-processor",
        "/ecs/reporting",
        "/webapp/prod/app",
    ]),
    LOGS_FAILS,
);
pub const GET_LOG_EVENTS: Call = read(
    "logs",
    "GetLogEvents",
    Home,
    Shape::LogStream(&["/aws/lambda/orders-processor", "/webapp/prod/app"]),
    LOGS_FAILS,
);
pub const CREATE_LOG_STREAM: Call = write(
    "logs",
    "CreateLogStream",
    Home,
    Shape::LogStream(&["/aws/lambda/orders-processor"]),
    &[(1, Fail::StreamExists)],
);
pub const CREATE_ECS_LOG_STREAM: Call = write(
    "logs",
    "CreateLogStream",
    Home,
    Shape::LogStream(&["/ecs/reporting"]),
    &[(1, Fail::StreamExists)],
);

// Lambda (CloudTrail names carry the API version)
pub const LIST_FUNCTIONS: Call = read(
    "lambda",
    "ListFunctions20150331",
    Home,
    Shape::Null,
    LAMBDA_FAILS,
);
pub const GET_FUNCTION: Call = read(
    "lambda",
    "GetFunction20150331v2",
    Home,
    Shape::Function(&[
        "orders-processor",
        "thumbnail-resizer",
        "nightly-report-trigger",
    ]),
    LAMBDA_FAILS,
);
pub const UPDATE_FUNCTION_CODE: Call = write(
    "lambda",
    "UpdateFunctionCode20150331v2",
    Home,
    Shape::Function(&["orders-processor", "thumbnail-resizer"]),
    LAMBDA_FAILS,
);
pub const GET_FUNCTION_CONFIGURATION: Call = read(
    "lambda",
    "GetFunctionConfiguration20150331v2",
    Home,
    Shape::Function(&["orders-processor", "thumbnail-resizer"]),
    LAMBDA_FAILS,
);

// CloudFormation, ECR, CloudTrail
pub const DESCRIBE_STACKS: Call = read(
    "cloudformation",
    "DescribeStacks",
    Home,
    Shape::Stack(&["webapp-prod", "orders-prod", "network-base"]),
    &[(1, Fail::StackNotFound)],
);
pub const GET_AUTHORIZATION_TOKEN: Call = read(
    "ecr",
    "GetAuthorizationToken",
    Home,
    Shape::Null,
    GENERIC_FAILS,
);
pub const DESCRIBE_TRAILS: Call = read(
    "cloudtrail",
    "DescribeTrails",
    Home,
    Shape::Null,
    GENERIC_FAILS,
);
pub const GET_TRAIL_STATUS: Call = read(
    "cloudtrail",
    "GetTrailStatus",
    Global,
    Shape::Trail,
    GENERIC_FAILS,
);
pub const LOOKUP_EVENTS: Call = Call {
    fails: &[(1, Fail::Validation), (2, Fail::Throttling)],
    ..read(
        "cloudtrail",
        "LookupEvents",
        Home,
        Shape::LookupEvents,
        GENERIC_FAILS,
    )
};

// Sign-in and AWS service activity
pub const CONSOLE_LOGIN: Call = Call {
    kind: EventType::ConsoleSignIn,
    fail_per_10k: 250,
    ..write(
        "signin",
        "ConsoleLogin",
        Global,
        Shape::ConsoleLogin,
        &[(1, Fail::LoginFailed)],
    )
};
pub const WEB_IDENTITY_DEPLOY: Call = Call {
    fail_per_10k: 50,
    ..read(
        "sts",
        "AssumeRoleWithWebIdentity",
        Global,
        Shape::WebIdentity("github-actions-deploy"),
        &[(1, Fail::AccessDenied)],
    )
};

const fn service_assume(role: &'static str) -> Call {
    read(
        "sts",
        "AssumeRole",
        Home,
        Shape::ServiceAssumeRole(role),
        NO_FAILS,
    )
}
pub const CONFIG_ASSUMES: Call = service_assume("AWSServiceRoleForConfig");
pub const EC2_ASSUMES: Call = service_assume("webapp-prod-ec2-role");
pub const LAMBDA_ASSUMES: Call = service_assume("orders-processor-lambda-role");
pub const ECS_ASSUMES: Call = service_assume("reporting-ecs-task-role");
pub const TRAIL_BUCKET_ACL: Call = read("s3", "GetBucketAcl", InBucket, Shape::TrailAcl, NO_FAILS);
pub const ROTATE_KEY: Call = Call {
    kind: EventType::ServiceEvent,
    ..write("kms", "RotateKey", Home, Shape::RotateKey, NO_FAILS)
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_commands_are_kebab_case() {
        assert_eq!(DESCRIBE_INSTANCES.cli_command(), "ec2.describe-instances");
        assert_eq!(GET_FUNCTION.cli_command(), "lambda.get-function");
        assert_eq!(GET_CALLER_IDENTITY.cli_command(), "sts.get-caller-identity");
    }

    #[test]
    fn data_events_are_object_calls() {
        assert!(GET_PROFILE.is_data());
        assert!(LIST_ASSETS.is_data());
        assert!(!GET_BUCKET_POLICY.is_data());
        assert!(!LIST_BUCKETS.is_data());
    }

    #[test]
    fn every_failure_describes_itself() {
        for f in [
            Fail::AccessDenied,
            Fail::NoSuchKey,
            Fail::ParameterNotFound,
            Fail::LoginFailed,
        ] {
            let (code, msg) = f.describe("iam", "ListUsers", "arn:aws:iam::1:user/x");
            assert!(code.is_some() || msg.is_some());
        }
        let (_, msg) = Fail::AccessDenied.describe("iam", "ListUsers", "arn:x");
        assert!(msg.is_some_and(|m| m.contains("arn:x") && m.contains("iam:ListUsers")));
        let (_, msg) =
            Fail::AccessDenied.describe("lambda", "UpdateFunctionCode20150331v2", "arn:x");
        assert!(msg.is_some_and(|m| m.contains("lambda:UpdateFunctionCode action")));
    }
}
