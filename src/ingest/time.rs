//! Event time parsing: every format real CloudTrail exports use, to UTC epoch milliseconds.
use chrono::{DateTime, NaiveDate, NaiveDateTime};

/// Parses an event time. Returns `None` for anything that is not a time (`"redacted"`, `"..."`).
///
/// Accepted: `2020-09-14T00:40:12Z` (the fast path), fractional seconds, `+hh:mm` offsets, a space
/// instead of `T`, no zone (read as UTC), and epoch seconds or milliseconds.
pub fn parse_time_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Some(ms) = fast_zulu(s.as_bytes()) {
        return Some(ms);
    }
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return parse_epoch(s);
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp_millis());
    }
    // A space separator with an offset: "2022-02-08 09:23:37+11:00", and the shorter offsets
    // Athena, Presto and DuckDB write in CSV: "+0000" and "+00".
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f%:z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
            return Some(dt.timestamp_millis());
        }
    }
    if let Some(ms) = hour_offset(s) {
        return Some(ms);
    }
    let trimmed = s.trim_end_matches(['Z', 'z']).trim_end_matches(" UTC");
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(trimmed, fmt) {
            return Some(dt.and_utc().timestamp_millis());
        }
    }
    None
}

/// `2024-04-01 00:00:18+00` or `…-05`: an offset of whole hours, which chrono's `%z` refuses.
fn hour_offset(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let sign_at = b.len().checked_sub(3)?;
    let sign = match b[sign_at] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours: i64 = s[sign_at + 1..].parse().ok()?;
    let base = s[..sign_at].trim_end();
    let naive = ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(base, f).ok())?;
    Some(naive.and_utc().timestamp_millis() - sign * hours * 3_600_000)
}

fn parse_epoch(s: &str) -> Option<i64> {
    let v: f64 = s.parse().ok()?;
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    // Above ~1e11 the value can only be milliseconds (1e11 s is the year 5138).
    let ms = if v >= 1e11 { v } else { v * 1000.0 };
    Some(ms.round() as i64)
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the shape of nearly every CloudTrail eventTime, without a general parser.
fn fast_zulu(b: &[u8]) -> Option<i64> {
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let dt = date.and_hms_opt(num(11..13)?, num(14..16)?, num(17..19)?)?;
    Some(dt.and_utc().timestamp_millis())
}

/// Formats epoch milliseconds as RFC 3339 UTC with second precision (milliseconds when present).
pub fn format_ms(ms: i64) -> String {
    match DateTime::from_timestamp_millis(ms) {
        Some(dt) if ms % 1000 == 0 => dt.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => ms.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_600_044_012_000; // 2020-09-14T00:40:12Z

    #[test]
    fn formats_real_logs_use() {
        for s in [
            "2020-09-14T00:40:12Z",
            "2020-09-14T00:40:12.000Z",
            "2020-09-14T00:40:12.000000000Z",
            "2020-09-14 00:40:12",
            "2020-09-14 00:40:12.000000000",
            "2020-09-14T02:40:12+02:00",
            "2020-09-14 11:40:12+11:00",
            "2020-09-14 00:40:12+00",
            "2020-09-14 00:40:12.000+00",
            "2020-09-14 00:40:12+0000",
            "2020-09-14 02:40:12+0200",
            "2020-09-14 02:40:12+02",
            "2020-09-13 22:40:12-02",
            "2020-09-14T00:40:12+0000",
            "2020-09-14T00:40:12",
            "1600044012",
            "1600044012000",
            "1600044012.0",
        ] {
            assert_eq!(parse_time_ms(s), Some(T), "{s}");
        }
    }

    #[test]
    fn non_times_are_none() {
        for s in [
            "redacted",
            "...",
            "",
            "2020-13-40T00:00:00Z",
            "yesterday",
            "2020-09-14 00:40:12+ab",
            "+00",
        ] {
            assert_eq!(parse_time_ms(s), None, "{s}");
        }
    }

    #[test]
    fn fraction_is_kept() {
        assert_eq!(parse_time_ms("2020-09-14T00:40:12.250Z"), Some(T + 250));
        assert_eq!(format_ms(T + 250), "2020-09-14T00:40:12.250Z");
        assert_eq!(format_ms(T), "2020-09-14T00:40:12Z");
    }
}
