//! Time stamps in the shapes CloudTrail and its delivery paths use (all UTC, whole seconds).
use chrono::{DateTime, Datelike, Timelike};

fn parts(t: i64) -> (i32, u32, u32, u32, u32, u32) {
    // The generator only makes times within a few weeks of 2024; out-of-range values cannot occur,
    // and the epoch is a harmless fallback.
    let d = DateTime::from_timestamp(t, 0).unwrap_or_default();
    (
        d.year(),
        d.month(),
        d.day(),
        d.hour(),
        d.minute(),
        d.second(),
    )
}

/// `2024-04-01T13:05:09Z`, as in eventTime.
pub fn iso(t: i64) -> String {
    let (y, mo, d, h, mi, s) = parts(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `2024/04/01`, the date folders of a delivery tree.
pub fn date_path(t: i64) -> String {
    let (y, mo, d, ..) = parts(t);
    format!("{y:04}/{mo:02}/{d:02}")
}

/// `2024-04-01`.
pub fn date(t: i64) -> String {
    let (y, mo, d, ..) = parts(t);
    format!("{y:04}-{mo:02}-{d:02}")
}

/// `20240401T1305Z`, the stamp in delivery file names.
pub fn file_stamp(t: i64) -> String {
    let (y, mo, d, h, mi, _) = parts(t);
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}Z")
}

/// `Apr 1, 2024, 2:05:09 PM`, as STS writes credential expirations in responseElements.
pub fn sts_expiration(t: i64) -> String {
    let d = DateTime::from_timestamp(t, 0).unwrap_or_default();
    d.format("%b %-d, %Y, %-I:%M:%S %p").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let t = 1_711_976_709; // 2024-04-01T13:05:09Z
        assert_eq!(iso(t), "2024-04-01T13:05:09Z");
        assert_eq!(date_path(t), "2024/04/01");
        assert_eq!(date(t), "2024-04-01");
        assert_eq!(file_stamp(t), "20240401T1305Z");
        assert_eq!(sts_expiration(t), "Apr 1, 2024, 1:05:09 PM");
    }
}
