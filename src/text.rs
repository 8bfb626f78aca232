//! Making attacker-controlled strings safe to draw and to paste into Markdown.
use std::borrow::Cow;

/// Whether a character must not reach the terminal as is: C0/C1 controls (ESC starts CSI/OSC
/// sequences), DEL, and the bidirectional overrides that reorder what is shown.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Replaces unsafe characters with a visible escape (`\x1b`, `\u{202e}`), so a log cannot move the
/// cursor, recolour, retitle or reorder the screen, and the analyst still sees that it tried.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            let n = c as u32;
            if n < 0x100 {
                out.push_str(&format!("\\x{n:02x}"));
            } else {
                out.push_str(&format!("\\u{{{n:04x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text for one Markdown table cell: sanitised, on one line, with Markdown and HTML specials escaped.
pub fn md_cell(s: &str) -> String {
    let clean = sanitize(s);
    let mut out = String::with_capacity(clean.len() + 8);
    for c in clean.chars() {
        match c {
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A fence for a code block that `content` cannot close: one backtick longer than its longest run.
pub fn md_fence(content: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in content.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

/// A CSV cell: sanitised like any text output (a cell printed to a terminal must not retitle it),
/// and guarded against formula injection (spreadsheets execute cells starting with these).
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    let clean = sanitize(s);
    if s.starts_with(['\t', '\r']) || clean.starts_with(['=', '+', '-', '@']) {
        Cow::Owned(format!("'{clean}"))
    } else {
        clean
    }
}

/// Cuts to at most `max` characters (never inside a character), marking the cut with '…'.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if s.chars().count() <= max {
        return Cow::Borrowed(s);
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_sequences_and_bidi() {
        let ua = "curl\x1b[2J\x1b]0;pwned\x07\u{202e}gnp.exe\u{9b}";
        let s = sanitize(ua);
        assert!(!s.chars().any(is_unsafe));
        assert_eq!(s, "curl\\x1b[2J\\x1b]0;pwned\\x07\\u{202e}gnp.exe\\x9b");
        assert!(matches!(sanitize("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn markdown_and_csv() {
        // The newline becomes a visible `\x0a` whose backslash is escaped for Markdown.
        assert_eq!(md_cell("a|b*c\nd"), "a\\|b\\*c\\\\x0ad");
        assert_eq!(md_fence("x ```` y"), "`````");
        assert_eq!(md_fence("none"), "```");
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_cell("ok"), "ok");
        assert_eq!(csv_cell("\tx"), "'\\x09x");
        assert_eq!(csv_cell("ua\x1b]0;t\x07"), "ua\\x1b]0;t\\x07");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }
}
