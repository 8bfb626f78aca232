//! Small predicates on API names, addresses and agents. The API sets themselves live in the one
//! catalogue (`assets/catalog.toml`, [`super::catalog`]).
use super::catalog;

/// Whether a call is one the playbook names as sensitive (persistence, tampering, exposure,
/// recon, secrets, copies out): their count per principal is the "sensitive API" feature.
pub fn is_sensitive(name: &str) -> bool {
    catalog::get().is_sensitive(name)
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

/// Whether a `sourceIPAddress` value is an address (as opposed to an AWS service name such as
/// `ec2.amazonaws.com` or `AWS Internal`, written when a service calls on a principal's behalf).
pub fn is_ip_address(v: &str) -> bool {
    v.trim().parse::<std::net::IpAddr>().is_ok()
}

/// Whether a user agent is an AWS service acting for the principal (console, sign-in, Elastic
/// Beanstalk, internal callers): such agents are no sign of a new client.
pub fn is_aws_service_agent(v: &str) -> bool {
    v == "AWS Internal"
        || v.ends_with(".amazonaws.com")
        || v.starts_with("aws-internal")
        || v.starts_with("AWS Internal")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogs() {
        assert!(is_sensitive("StopLogging") && !is_sensitive("GetObject"));
        assert!(looks_read_only("DescribeInstances") && !looks_read_only("PutObject"));
        assert!(
            is_access_denied("AccessDenied") && is_access_denied("Client.UnauthorizedOperation")
        );
        assert!(!is_access_denied("NoSuchBucket"));
        assert!(is_ip_address("203.0.113.7") && is_ip_address("2001:db8::1"));
        assert!(!is_ip_address("AWS Internal") && !is_ip_address("ec2.amazonaws.com"));
        assert!(
            is_aws_service_agent("signin.amazonaws.com") && is_aws_service_agent("AWS Internal")
        );
        assert!(!is_aws_service_agent("aws-cli/2.15.0 Python/3.11"));
    }
}
