//! API name catalogs the features and explanations use (from the IRP-DataAccess playbook lists).

/// Calls the playbook names as persistence, tampering, exposure, reconnaissance, secret access or
/// data-sharing: their count per principal is the "sensitive API" feature.
pub const SENSITIVE_APIS: &[&str] = &[
    // Logging tampering.
    "StopLogging",
    "DeleteTrail",
    "UpdateTrail",
    "PutEventSelectors",
    // Data-access persistence and exposure.
    "PutBucketPolicy",
    "DeleteBucketPolicy",
    "PutBucketAcl",
    "PutObjectAcl",
    "PutBucketPublicAccessBlock",
    "DeleteBucketPublicAccessBlock",
    "PutPublicAccessBlock",
    "DeletePublicAccessBlock",
    "PutBucketReplication",
    "PutBucketLifecycle",
    "PutBucketLifecycleConfiguration",
    "PutBucketNotification",
    "PutBucketNotificationConfiguration",
    "UpdateAssumeRolePolicy",
    // Credential persistence.
    "CreateUser",
    "CreateRole",
    "CreateAccessKey",
    "CreateLoginProfile",
    "UpdateLoginProfile",
    "AttachUserPolicy",
    "AttachRolePolicy",
    "PutUserPolicy",
    "PutRolePolicy",
    "CreateFunction",
    "UpdateFunctionCode",
    "AddPermission",
    "CreateEventSourceMapping",
    // Reconnaissance.
    "GetCallerIdentity",
    "ListBuckets",
    "GetBucketAcl",
    "GetBucketPolicy",
    // Secrets.
    "GetSecretValue",
    "GetParameter",
    "GetParameters",
    "GetParametersByPath",
    // Copies to places an actor controls.
    "CopyObject",
    "CreateSnapshot",
    "CopySnapshot",
    "ModifySnapshotAttribute",
    "ModifyImageAttribute",
];

pub fn is_sensitive(name: &str) -> bool {
    SENSITIVE_APIS.contains(&name)
}

/// Read-only by name, for records that do not carry `readOnly` (old event versions).
pub fn looks_read_only(name: &str) -> bool {
    const PREFIXES: [&str; 9] = [
        "Get", "List", "Describe", "Head", "Lookup", "Search", "Select", "Scan", "BatchGet",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p)) || name == "Query"
}

/// Whether an error code means "not allowed" (as opposed to a bad request or a missing resource).
pub fn is_access_denied(code: &str) -> bool {
    code.contains("AccessDenied")
        || code.contains("Unauthorized")
        || code.contains("Forbidden")
        || code == "InvalidClientTokenId"
        || code == "SignatureDoesNotMatch"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs() {
        assert!(is_sensitive("StopLogging") && !is_sensitive("GetObject"));
        assert!(looks_read_only("DescribeInstances") && !looks_read_only("PutObject"));
        assert!(is_access_denied("AccessDenied") && is_access_denied("Client.UnauthorizedOperation"));
        assert!(!is_access_denied("NoSuchBucket"));
    }
}
