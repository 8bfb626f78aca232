//! Reading what a request grants: resource and trust policies (who they let in) and security-group
//! rules (which ports they open to the internet). Every value comes from a log: nothing here
//! trusts its shape.
use serde_json::Value;

/// Ports an administrator reaches a machine or database on: open to the internet, they invite
/// brute force and exploits.
pub const ADMIN_PORTS: &[(u16, &str)] = &[
    (22, "SSH"),
    (23, "Telnet"),
    (135, "RPC"),
    (445, "SMB"),
    (1433, "MSSQL"),
    (1521, "Oracle"),
    (2375, "Docker"),
    (2376, "Docker TLS"),
    (3306, "MySQL"),
    (3389, "RDP"),
    (5432, "PostgreSQL"),
    (5900, "VNC"),
    (5985, "WinRM"),
    (5986, "WinRM TLS"),
    (6379, "Redis"),
    (9200, "Elasticsearch"),
    (11211, "Memcached"),
    (27017, "MongoDB"),
];

/// A value as JSON: objects and arrays as they are, strings holding JSON parsed (policies are
/// logged either way), other strings as JSON strings.
fn as_json(text: &str) -> Value {
    let t = text.trim();
    if (t.starts_with('{') || t.starts_with('['))
        && let Ok(v) = serde_json::from_str::<Value>(t)
    {
        return v;
    }
    Value::String(text.to_owned())
}

/// The account id in an ARN (`arn:aws:iam::123456789012:root`) or a bare 12-digit id.
fn account_of(principal: &str) -> Option<&str> {
    let p = principal.trim();
    if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
        return Some(p);
    }
    let rest = p.strip_prefix("arn:")?;
    let acct = rest.split(':').nth(3)?;
    (acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit())).then_some(acct)
}

fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Who outside `own` (the account's ids) a policy document or a principal string lets in:
/// `"*"` (anyone) or foreign account ids. Deny statements and service principals are left out;
/// `"*"` restricted by a condition is not counted as anyone.
pub fn outside_grants(text: &str, own: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |p: &str, conditioned: bool| {
        let p = p.trim();
        let who = if p == "*" {
            if conditioned {
                return;
            }
            "*".to_owned()
        } else {
            match account_of(p) {
                Some(a) if !own.contains(&a) => a.to_owned(),
                _ => return,
            }
        };
        if !out.contains(&who) {
            out.push(who);
        }
    };
    match as_json(text) {
        Value::String(s) => add(&s, false),
        doc => {
            let statements: Vec<&Value> = match doc.get("Statement") {
                Some(Value::Array(items)) => items.iter().collect(),
                Some(s @ Value::Object(_)) => vec![s],
                _ => Vec::new(),
            };
            for st in statements {
                let allow = st
                    .get("Effect")
                    .and_then(Value::as_str)
                    .is_none_or(|e| e.eq_ignore_ascii_case("Allow"));
                if !allow {
                    continue;
                }
                let conditioned = st.get("Condition").is_some_and(|c| !c.is_null());
                match st.get("Principal") {
                    Some(Value::String(p)) => add(p, conditioned),
                    Some(Value::Object(m)) => {
                        if let Some(aws) = m.get("AWS") {
                            for p in strings(aws) {
                                add(p, conditioned);
                            }
                        }
                        if let Some(fed) = m.get("Federated") {
                            for p in strings(fed) {
                                if p.trim() == "*" {
                                    add(p, conditioned);
                                }
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    out
}

/// One opening a security-group request makes: the source range and the ports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    pub cidr: String,
    /// `None`: every port (protocol -1).
    pub ports: Option<(i64, i64)>,
}

impl Opening {
    /// The admin ports this opening exposes (all of them for every port).
    pub fn admin_ports(&self) -> Vec<(u16, &'static str)> {
        ADMIN_PORTS
            .iter()
            .copied()
            .filter(|&(p, _)| {
                self.ports
                    .is_none_or(|(a, b)| a <= i64::from(p) && i64::from(p) <= b)
            })
            .collect()
    }
}

fn num(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn ports_of(item: &Value) -> Option<(i64, i64)> {
    let proto = item
        .get("ipProtocol")
        .or_else(|| item.get("IpProtocol"))
        .map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    if proto
        .as_deref()
        .is_some_and(|p| p == "-1" || p.eq_ignore_ascii_case("all"))
    {
        return None;
    }
    let from = num(item.get("fromPort").or_else(|| item.get("FromPort")));
    let to = num(item.get("toPort").or_else(|| item.get("ToPort")));
    match (from, to) {
        // ICMP uses -1 for "any type": no TCP port opened.
        (Some(a), Some(b)) if a >= 0 && b >= a => Some((a, b)),
        (Some(a), None) if a >= 0 => Some((a, a)),
        _ => Some((-1, -1)),
    }
}

fn is_world(cidr: &str) -> bool {
    matches!(cidr.trim(), "0.0.0.0/0" | "::/0")
}

/// The internet-wide openings in an `AuthorizeSecurityGroupIngress` (old flat form or
/// `ipPermissions.items[]`) or `ModifySecurityGroupRules` request.
pub fn world_openings(request: &Value) -> Vec<Opening> {
    let mut out = Vec::new();
    // Flat form: cidrIp + ipProtocol/fromPort/toPort at the top.
    for key in ["cidrIp", "cidrIpv6", "CidrIp", "CidrIpv6"] {
        if let Some(c) = request.get(key).and_then(Value::as_str)
            && is_world(c)
        {
            out.push(Opening {
                cidr: c.to_owned(),
                ports: ports_of(request),
            });
        }
    }
    let items = |v: Option<&Value>| -> Vec<Value> {
        match v {
            Some(Value::Array(a)) => a.clone(),
            Some(Value::Object(m)) => match m.get("items") {
                Some(Value::Array(a)) => a.clone(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    };
    for perm in items(request.get("ipPermissions")) {
        let ports = ports_of(&perm);
        for range in items(perm.get("ipRanges")) {
            if let Some(c) = range.get("cidrIp").and_then(Value::as_str)
                && is_world(c)
            {
                out.push(Opening {
                    cidr: c.to_owned(),
                    ports,
                });
            }
        }
        for range in items(perm.get("ipv6Ranges")) {
            if let Some(c) = range.get("cidrIpv6").and_then(Value::as_str)
                && is_world(c)
            {
                out.push(Opening {
                    cidr: c.to_owned(),
                    ports,
                });
            }
        }
    }
    // ModifySecurityGroupRules: securityGroupRule items with CidrIpv4/CidrIpv6.
    if let Some(req) = request.get("ModifySecurityGroupRulesRequest") {
        let rules = match req.get("SecurityGroupRule") {
            Some(Value::Array(a)) => a.clone(),
            Some(v @ Value::Object(_)) => vec![v.clone()],
            _ => Vec::new(),
        };
        for r in rules {
            let rule = r.get("SecurityGroupRule").unwrap_or(&r);
            for key in ["CidrIpv4", "CidrIpv6"] {
                if let Some(c) = rule.get(key).and_then(Value::as_str)
                    && is_world(c)
                {
                    out.push(Opening {
                        cidr: c.to_owned(),
                        ports: ports_of(rule),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OWN: &[&str] = &["111122223333"];

    #[test]
    fn policies_granting_outside() {
        let policy = |p: Value| {
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": p, "Action": "s3:GetObject"}]})
                .to_string()
        };
        assert_eq!(
            outside_grants(
                &policy(json!({"AWS": "arn:aws:iam::999988887777:root"})),
                OWN
            ),
            vec!["999988887777"]
        );
        assert_eq!(outside_grants(&policy(json!("*")), OWN), vec!["*"]);
        assert_eq!(
            outside_grants(
                &policy(json!({"AWS": ["arn:aws:iam::111122223333:role/x", "*"]})),
                OWN
            ),
            vec!["*"]
        );
        assert!(
            outside_grants(
                &policy(json!({"AWS": "arn:aws:iam::111122223333:root"})),
                OWN
            )
            .is_empty()
        );
        assert!(
            outside_grants(&policy(json!({"Service": "cloudtrail.amazonaws.com"})), OWN).is_empty()
        );
        let conditioned = json!({"Statement": {"Effect": "Allow", "Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}}}).to_string();
        assert!(outside_grants(&conditioned, OWN).is_empty());
        let deny = json!({"Statement": [{"Effect": "Deny", "Principal": "*"}]}).to_string();
        assert!(outside_grants(&deny, OWN).is_empty());
        // Lambda AddPermission logs the principal as a plain string.
        assert_eq!(outside_grants("*", OWN), vec!["*"]);
        assert_eq!(outside_grants("999988887777", OWN), vec!["999988887777"]);
        assert!(outside_grants("s3.amazonaws.com", OWN).is_empty());
        assert!(outside_grants("{not json", OWN).is_empty());
    }

    #[test]
    fn security_group_openings() {
        let flat = json!({"groupId": "sg-1", "ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIp": "0.0.0.0/0"});
        let o = world_openings(&flat);
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].admin_ports(), vec![(22, "SSH")]);
        let nested = json!({"ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 3000, "toPort": 3400,
            "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}, "ipv6Ranges": {"items": [{"cidrIpv6": "::/0"}]}}]}});
        let o = world_openings(&nested);
        assert_eq!(o.len(), 1);
        assert_eq!(o[0].admin_ports(), vec![(3306, "MySQL"), (3389, "RDP")]);
        let web = json!({"ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 443, "toPort": 443,
            "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}});
        assert!(world_openings(&web)[0].admin_ports().is_empty());
        let all = json!({"ipPermissions": {"items": [{"ipProtocol": "-1", "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}});
        assert_eq!(
            world_openings(&all)[0].admin_ports().len(),
            ADMIN_PORTS.len()
        );
        let private =
            json!({"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIp": "10.1.0.0/16"});
        assert!(world_openings(&private).is_empty());
    }
}
