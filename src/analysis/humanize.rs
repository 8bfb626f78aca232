//! Numbers, sizes and durations as people read them: the one formatter for the reports, the
//! analysis' reasons, the CLI and the TUI. Bytes use binary units (KiB, MiB, GiB) everywhere.

/// `1234567` -> `1,234,567`.
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A possibly fractional count: integers without decimals, others with one.
pub fn number(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 && x.abs() < 1e15 {
        let r = x.round();
        if r < 0.0 {
            format!("-{}", count((-r) as u64))
        } else {
            count(r as u64)
        }
    } else {
        format!("{x:.1}")
    }
}

/// Bytes in binary units: `1.5 MiB`.
pub fn bytes(b: f64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = b.max(0.0);
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{} B", number(v.round()))
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Bytes with the exact count, for reports: `3.9 GiB (4,164,140,560 bytes)`, `512 bytes`.
pub fn bytes_exact(b: i64) -> String {
    if b.unsigned_abs() < 1024 {
        format!("{b} bytes")
    } else {
        format!("{} ({} bytes)", bytes(b as f64), count(b.max(0) as u64))
    }
}

/// Known bytes and how many of the events they cover: the unknown part is never shown as 0.
/// `3.9 GiB (…)`, `3.9 GiB (…; unknown for 3 of 40 reads)`, `unknown (the log does not say)`.
pub fn bytes_known(known: i64, with_bytes: usize, total: usize, what: &str) -> String {
    if total == 0 {
        return "0 bytes".to_owned();
    }
    if with_bytes == 0 {
        return "bytes unknown (the log does not record them)".to_owned();
    }
    let b = bytes_exact(known);
    if with_bytes == total {
        b
    } else {
        format!(
            "at least {b}: unknown for {} of {} {what}",
            count((total - with_bytes) as u64),
            count(total as u64)
        )
    }
}

/// Elapsed time in two units: `40 s`, `12 min`, `2 h 05 min`, `6 d 18 h` (from milliseconds).
pub fn elapsed(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match s {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h {:02} min", s / 3600, (s % 3600) / 60),
        s => format!("{} d {} h", s / 86_400, (s % 86_400) / 3600),
    }
}

/// A duration in the largest whole unit that fits: `1 h`, `90 min`, `45 s`, `2 d`.
pub fn duration(secs: i64) -> String {
    match secs {
        s if s > 0 && s % 86_400 == 0 => format!("{} d", s / 86_400),
        s if s > 0 && s % 3600 == 0 => format!("{} h", s / 3600),
        s if s > 0 && s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// A duration rounded to a readable unit: `45 s`, `12 min`, `5 h`, `3 d`.
pub fn approx_duration(secs: f64) -> String {
    let s = secs.max(0.0);
    if s < 120.0 {
        format!("{:.0} s", s)
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 172_800.0 {
        format!("{:.0} h", s / 3600.0)
    } else {
        format!("{:.0} d", s / 86_400.0)
    }
}

/// A share as a whole percentage.
pub fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(count(999), "999");
        assert_eq!(number(3.0), "3");
        assert_eq!(number(2.25), "2.2");
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(1536.0), "1.5 KiB");
        assert_eq!(duration(3600), "1 h");
        assert_eq!(duration(600), "10 min");
        assert_eq!(duration(86_400), "1 d");
        assert_eq!(duration(45), "45 s");
        assert_eq!(percent(0.414), "41%");
        assert_eq!(approx_duration(5400.0), "90 min");
        assert_eq!(approx_duration(3.0 * 86_400.0), "3 d");
        assert_eq!(bytes_exact(999), "999 bytes");
        assert_eq!(bytes_exact(4_164_140_560), "3.9 GiB (4,164,140,560 bytes)");
        assert_eq!(
            bytes_known(0, 0, 5, "reads"),
            "bytes unknown (the log does not record them)"
        );
        assert_eq!(bytes_known(0, 0, 0, "reads"), "0 bytes");
        assert_eq!(
            bytes_known(2048, 2, 5, "reads"),
            "at least 2.0 KiB (2,048 bytes): unknown for 3 of 5 reads"
        );
        assert_eq!(elapsed(7_500_000), "2 h 05 min");
        assert_eq!(elapsed(583_200_000), "6 d 18 h");
    }
}
