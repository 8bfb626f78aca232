//! Numbers, sizes and durations as people read them in reasons and reports.

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
    }
}
