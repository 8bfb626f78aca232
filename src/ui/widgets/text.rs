//! Turning log strings into screen text: sanitised, cut by display width (never by bytes), and
//! the short forms the tables use.
use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::text::sanitize;

/// Display width of already-sanitised text.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts sanitised text to at most `max` columns, marking a cut with '…'.
pub fn cut(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::with_capacity(max + 3);
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    Cow::Owned(out)
}

/// A log string ready to draw in `max` columns: escapes made visible, then cut.
pub fn fit(s: &str, max: usize) -> String {
    let clean = sanitize(s);
    cut(&clean, max).into_owned()
}

/// A log string made safe to draw, uncut.
pub fn clean(s: &str) -> Cow<'_, str> {
    sanitize(s)
}

/// Splits sanitised text into pieces of at most `max` columns (for wrapping).
pub fn chunks(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
            used = 0;
        }
        cur.push(c);
        used += w;
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// The readable part of a principal: `user/alice` for `arn:aws:iam::1:user/alice`.
pub fn short_principal(p: &str) -> &str {
    if p.starts_with("arn:") {
        // arn:partition:service:region:account:resource
        if let Some((i, _)) = p.match_indices(':').nth(4) {
            return &p[i + 1..];
        }
    }
    p
}

/// The account of an ARN (`123456789012`), or "" for anything else.
pub fn arn_account(p: &str) -> &str {
    if !p.starts_with("arn:") {
        return "";
    }
    p.split(':').nth(4).unwrap_or("")
}

/// `s3` for `s3.amazonaws.com`.
pub fn short_source(s: &str) -> &str {
    s.strip_suffix(".amazonaws.com").unwrap_or(s)
}

/// `1,234,567`.
pub fn thousands(n: usize) -> String {
    crate::analysis::humanize::count(n as u64)
}

/// `2020-09-14 00:40:12` (UTC).
pub fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| ms.to_string())
}

/// `09-14 00:40:12` (UTC), for views within one year.
pub fn time_short(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| ms.to_string())
}

/// `1 event`, `1,234 events`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{} {word}s", thousands(n))
    }
}

/// `2020-09-14 00:40` (UTC), for axes.
pub fn time_minutes(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| ms.to_string())
}

/// Elapsed time as the reports and the CLI write it: `6 d 18 h`, `2 h 05 min`, `40 s`.
pub fn duration(ms: i64) -> String {
    crate::analysis::humanize::elapsed(ms)
}

/// Bytes in binary units, as everywhere else: `1.5 MiB`.
pub fn bytes(n: i64) -> String {
    crate::analysis::humanize::bytes(n as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_by_display_width_not_bytes() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("日本語テキスト", 5), "日本…");
        assert_eq!(width(&cut("日本語テキスト", 5)), 5);
        assert_eq!(cut("short", 10), "short");
        assert_eq!(fit("a\x1b[31mb", 20), "a\\x1b[31mb");
        assert_eq!(chunks("abcdefg", 3), vec!["abc", "def", "g"]);
        assert_eq!(chunks("", 3), vec![""]);
    }

    #[test]
    fn short_forms() {
        assert_eq!(
            short_principal("arn:aws:iam::123456789012:user/alice"),
            "user/alice"
        );
        assert_eq!(
            short_principal("arn:aws:sts::1:assumed-role/R/s:x"),
            "assumed-role/R/s:x"
        );
        assert_eq!(short_principal("anonymous"), "anonymous");
        assert_eq!(short_source("s3.amazonaws.com"), "s3");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(12), "12");
        assert_eq!(duration(90_061_000), "1 d 1 h");
        assert_eq!(bytes(1536), "1.5 KiB");
    }
}
