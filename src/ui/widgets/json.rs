//! Pretty, coloured JSON for the detail view. Strings are printed JSON-escaped (so control
//! characters show as `\u001b`) and then sanitised (bidi overrides show as `\u{202e}`).
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use serde_json::Value;
use unicode_width::UnicodeWidthChar;

use crate::text::sanitize;
use crate::ui::theme::Theme;

fn quoted(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"));
    sanitize(&json).into_owned()
}

fn scalar(v: &Value, theme: &Theme) -> Span<'static> {
    match v {
        Value::String(s) => Span::styled(quoted(s), theme.json_string()),
        Value::Number(n) => Span::styled(n.to_string(), theme.json_number()),
        Value::Bool(b) => Span::styled(b.to_string(), theme.json_literal()),
        Value::Null => Span::styled("null", theme.json_literal()),
        Value::Array(_) | Value::Object(_) => Span::raw(""),
    }
}

fn emit(
    v: &Value,
    indent: usize,
    key: Option<&str>,
    comma: bool,
    theme: &Theme,
    out: &mut Vec<Line<'static>>,
) {
    let mut head: Vec<Span<'static>> = vec![Span::raw(" ".repeat(indent))];
    if let Some(k) = key {
        head.push(Span::styled(quoted(k), theme.json_key()));
        head.push(Span::styled(": ", theme.json_punct()));
    }
    let tail = if comma { "," } else { "" };
    let (open, close, empty) = match v {
        Value::Object(m) => ("{", "}", m.is_empty()),
        Value::Array(a) => ("[", "]", a.is_empty()),
        _ => {
            head.push(scalar(v, theme));
            head.push(Span::styled(tail, theme.json_punct()));
            out.push(Line::from(head));
            return;
        }
    };
    if empty {
        head.push(Span::styled(
            format!("{open}{close}{tail}"),
            theme.json_punct(),
        ));
        out.push(Line::from(head));
        return;
    }
    head.push(Span::styled(open, theme.json_punct()));
    out.push(Line::from(head));
    match v {
        Value::Object(m) => {
            let n = m.len();
            for (i, (k, child)) in m.iter().enumerate() {
                emit(child, indent + 2, Some(k), i + 1 < n, theme, out);
            }
        }
        Value::Array(a) => {
            let n = a.len();
            for (i, child) in a.iter().enumerate() {
                emit(child, indent + 2, None, i + 1 < n, theme, out);
            }
        }
        _ => {}
    }
    out.push(Line::from(vec![
        Span::raw(" ".repeat(indent)),
        Span::styled(format!("{close}{tail}"), theme.json_punct()),
    ]));
}

/// The value as pretty-printed lines.
pub fn json_lines(v: &Value, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    emit(v, 0, None, false, theme, &mut out);
    out
}

/// Raw text that is not valid JSON, sanitised, one line per line.
pub fn text_lines(text: &str) -> Vec<Line<'static>> {
    text.lines()
        .map(|l| Line::raw(sanitize(l).into_owned()))
        .collect()
}

/// Wraps lines to `width` columns, keeping each piece's style.
pub fn wrap(lines: &[Line<'static>], width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.width() <= width {
            out.push(line.clone());
            continue;
        }
        let mut cur: Vec<Span<'static>> = Vec::new();
        let mut used = 0;
        for span in &line.spans {
            let mut piece = String::new();
            for c in span.content.chars() {
                let w = c.width().unwrap_or(0);
                if used + w > width {
                    if !piece.is_empty() {
                        cur.push(Span::styled(std::mem::take(&mut piece), span.style));
                    }
                    out.push(Line::from(std::mem::take(&mut cur)));
                    used = 0;
                }
                piece.push(c);
                used += w;
            }
            if !piece.is_empty() {
                cur.push(Span::styled(piece, span.style));
            }
        }
        if !cur.is_empty() {
            out.push(Line::from(cur));
        }
    }
    out
}

/// A `label  value` line for the detail header.
pub fn field_line(
    label: &str,
    value: &str,
    label_style: Style,
    value_style: Style,
) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{label:<10}"), label_style),
        Span::styled(sanitize(value).into_owned(), value_style),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn pretty_and_escaped() {
        let v: Value = serde_json::from_str(
            r#"{"a":1,"b":{"c":[true,null]},"ua":"x\u001b[2J\u202ey","e":{}}"#,
        )
        .expect("json");
        let lines = json_lines(&v, &Theme::monochrome());
        assert_eq!(
            text(&lines),
            vec![
                "{",
                "  \"a\": 1,",
                "  \"b\": {",
                "    \"c\": [",
                "      true,",
                "      null",
                "    ]",
                "  },",
                "  \"ua\": \"x\\u001b[2J\\u{202e}y\",",
                "  \"e\": {}",
                "}",
            ]
        );
        let wrapped = wrap(&lines, 6);
        assert!(wrapped.iter().all(|l| l.width() <= 6));
        assert_eq!(text(&wrapped).concat(), text(&lines).concat());
    }
}
