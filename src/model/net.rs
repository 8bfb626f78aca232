//! Where a call came from: inside AWS/private networks, or outside.
use std::net::IpAddr;

/// Whether a sourceIPAddress is an AWS service or a private/shared address (so not "outside AWS").
/// Public addresses are taken as outside AWS: cttui has no copy of AWS's published IP ranges, so a
/// call from an EC2 public IP counts as outside too, and reports say "not verified".
pub fn is_internal_source(src: &str) -> bool {
    if src.ends_with(".amazonaws.com") || src == "AWS Internal" || src.is_empty() {
        return true;
    }
    match src.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        Ok(IpAddr::V6(v6)) => v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00,
        // Not an address (a service name we do not know): not evidence of an outside caller.
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::is_internal_source;

    #[test]
    fn classifies_sources() {
        for inside in [
            "10.0.3.7",
            "172.20.1.1",
            "192.168.0.9",
            "100.64.0.1",
            "s3.amazonaws.com",
            "AWS Internal",
            "fd00::1",
        ] {
            assert!(is_internal_source(inside), "{inside}");
        }
        for outside in ["203.0.113.66", "8.8.8.8", "2001:db8::1"] {
            assert!(!is_internal_source(outside), "{outside}");
        }
    }
}
