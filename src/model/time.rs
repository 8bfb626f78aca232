//! Times as the model shows and reads them: epoch milliseconds in memory, RFC 3339 UTC in text.
//! Log times are parsed by `ingest::time`; this module holds the one display format and the time
//! literals a query accepts.
use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Epoch milliseconds as RFC 3339 UTC with second precision (milliseconds when present).
pub fn format_ms(ms: i64) -> String {
    match DateTime::from_timestamp_millis(ms) {
        Some(dt) if ms % 1000 == 0 => dt.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => ms.to_string(),
    }
}

pub const SECOND: i64 = 1000;
pub const MINUTE: i64 = 60 * SECOND;
pub const HOUR: i64 = 60 * MINUTE;
pub const DAY: i64 = 24 * HOUR;

/// A time literal of the query language and the length of the period it names:
/// `2020-09-14` (a day), `2020-09-14T00` (an hour), `2020-09-14T00:40` (a minute),
/// `2020-09-14T00:40:12Z` or with an offset (a second), epoch seconds or milliseconds.
pub fn parse_literal(v: &str) -> Option<(i64, i64)> {
    let v = v.trim();
    let naive = |s: &str, fmt: &str| NaiveDateTime::parse_from_str(s, fmt).ok();
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Some((d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis(), DAY));
    }
    let t = v.replacen(' ', "T", 1);
    if t.len() == 13
        && let Some(dt) = naive(&format!("{t}:00"), "%Y-%m-%dT%H:%M")
    {
        return Some((dt.and_utc().timestamp_millis(), HOUR));
    }
    if t.len() == 16
        && let Some(dt) = naive(&t, "%Y-%m-%dT%H:%M")
    {
        return Some((dt.and_utc().timestamp_millis(), MINUTE));
    }
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = v.parse().ok()?;
        // Above ~1e11 the value can only be milliseconds (1e11 s is the year 5138).
        return Some((if n >= 100_000_000_000 { n } else { n * 1000 }, SECOND));
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(&t) {
        return Some((dt.timestamp_millis(), SECOND));
    }
    let bare = t.trim_end_matches(['Z', 'z']);
    naive(bare, "%Y-%m-%dT%H:%M:%S%.f").map(|dt| (dt.and_utc().timestamp_millis(), SECOND))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_600_044_012_000; // 2020-09-14T00:40:12Z

    #[test]
    fn literals_name_their_period() {
        assert_eq!(
            parse_literal("2020-09-14"),
            Some((T - 40 * MINUTE - 12_000, DAY))
        );
        assert_eq!(
            parse_literal("2020-09-14T00"),
            Some((T - 40 * MINUTE - 12_000, HOUR))
        );
        assert_eq!(
            parse_literal("2020-09-14T00:40"),
            Some((T - 12_000, MINUTE))
        );
        assert_eq!(
            parse_literal("2020-09-14 00:40"),
            Some((T - 12_000, MINUTE))
        );
        assert_eq!(parse_literal("2020-09-14T00:40:12Z"), Some((T, SECOND)));
        assert_eq!(
            parse_literal("2020-09-14T02:40:12+02:00"),
            Some((T, SECOND))
        );
        assert_eq!(parse_literal("2020-09-14T00:40:12"), Some((T, SECOND)));
        assert_eq!(parse_literal("1600044012"), Some((T, SECOND)));
        assert_eq!(parse_literal("1600044012000"), Some((T, SECOND)));
        assert_eq!(parse_literal("yesterday"), None);
        assert_eq!(format_ms(T), "2020-09-14T00:40:12Z");
        assert_eq!(format_ms(T + 5), "2020-09-14T00:40:12.005Z");
    }
}
