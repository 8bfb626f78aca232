//! A structural JSON scanner that cuts a document into its top-level array elements without parsing
//! them. It is the salvage path for broken files (a bad record must not take its neighbours down)
//! and lets one large file be parsed on several cores.
use std::ops::Range;

/// Where the scanner stopped early: the byte offset and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanStop {
    pub offset: usize,
    pub reason: String,
}

/// Byte offset just past the closing quote of the string whose opening quote is at `open`.
fn skip_string(buf: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    loop {
        let rel = memchr::memchr2(b'"', b'\\', &buf[i..])?;
        i += rel;
        if buf[i] == b'\\' {
            i += 2;
            if i > buf.len() {
                return None;
            }
        } else {
            return Some(i + 1);
        }
    }
}

/// The end (exclusive) of the value that starts at `start` (an object, array, string or scalar).
fn skip_value(buf: &[u8], start: usize) -> Result<usize, ScanStop> {
    let truncated = |offset| ScanStop {
        offset,
        reason: format!(
            "truncated: the value starting here is cut off by the end of input (byte {})",
            buf.len()
        ),
    };
    match buf.get(start) {
        Some(b'"') => skip_string(buf, start).ok_or(truncated(start)),
        Some(b'{') => skip_object(buf, start).ok_or_else(|| truncated(start)),
        Some(b'[') => {
            let mut depth = 0usize;
            let mut i = start;
            while i < buf.len() {
                match buf[i] {
                    b'"' => {
                        i = skip_string(buf, i).ok_or(truncated(start))?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            Err(truncated(start))
        }
        Some(_) => {
            let end = buf[start..]
                .iter()
                .position(|&c| matches!(c, b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t'))
                .map_or(buf.len(), |p| start + p);
            Ok(end)
        }
        None => Err(truncated(start)),
    }
}

/// The end (exclusive) of the JSON value starting at `start`, if it is complete.
pub fn value_end(buf: &[u8], start: usize) -> Option<usize> {
    skip_value(buf, start).ok()
}

/// The end of the object whose `{` is at `open`. Only braces and strings decide where an object
/// ends (brackets nest inside it either way), so the scan jumps between `"`, `{` and `}` with
/// memchr instead of looking at every byte: this is the hot loop of loading a large file.
fn skip_object(buf: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = open;
    loop {
        i += memchr::memchr3(b'"', b'{', b'}', &buf[i..])?;
        match buf[i] {
            b'"' => {
                i = skip_string(buf, i)?;
                continue;
            }
            b'{' => depth += 1,
            _ => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
        }
        i += 1;
    }
}

fn skip_ws(buf: &[u8], mut i: usize) -> usize {
    while i < buf.len() && matches!(buf[i], b' ' | b'\n' | b'\r' | b'\t') {
        i += 1;
    }
    i
}

/// Splits the array whose `[` is at `open` into element ranges. Elements found before a structural
/// problem are returned with the problem.
pub fn split_array(buf: &[u8], open: usize) -> (Vec<Range<usize>>, Option<ScanStop>) {
    let mut out = Vec::new();
    let mut i = open + 1;
    loop {
        i = skip_ws(buf, i);
        match buf.get(i) {
            None => {
                return (
                    out,
                    Some(ScanStop {
                        offset: i,
                        reason: "truncated: the array is not closed".to_owned(),
                    }),
                );
            }
            Some(b']') => return (out, None),
            Some(b',') => {
                i += 1;
                continue;
            }
            Some(_) => match skip_value(buf, i) {
                Ok(end) => {
                    out.push(i..end);
                    i = end;
                }
                Err(stop) => return (out, Some(stop)),
            },
        }
    }
}

/// Finds the array under `key` in the top-level object that starts at `open`: the offset of its `[`.
pub fn find_key_array(buf: &[u8], open: usize, key: &str) -> Option<usize> {
    let mut i = open + 1;
    loop {
        i = skip_ws(buf, i);
        match buf.get(i)? {
            b'"' => {
                let end = skip_string(buf, i)?;
                let name = &buf[i + 1..end - 1];
                i = skip_ws(buf, end);
                if buf.get(i) != Some(&b':') {
                    return None;
                }
                i = skip_ws(buf, i + 1);
                if name == key.as_bytes() && buf.get(i) == Some(&b'[') {
                    return Some(i);
                }
                i = skip_value(buf, i).ok()?;
            }
            b',' => i += 1,
            _ => return None,
        }
    }
}

/// Line ranges of a JSON Lines buffer, blank lines left out; each with its 1-based line number.
pub fn split_lines(buf: &[u8]) -> Vec<(usize, Range<usize>)> {
    let mut out = Vec::new();
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', buf).chain(std::iter::once(buf.len()));
    for (line, nl) in (1..).zip(ends) {
        if nl < start {
            break;
        }
        let r = start..nl;
        if buf[r.clone()].iter().any(|c| !c.is_ascii_whitespace()) {
            out.push((line, r));
        }
        start = nl + 1;
    }
    out
}

/// 1-based line number of a byte offset.
pub fn line_of(buf: &[u8], offset: usize) -> usize {
    memchr::memchr_iter(b'\n', &buf[..offset.min(buf.len())]).count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_elements_with_tricky_strings() {
        let doc = br#"[{"a":"}]\"{"}, {"b":[1,2]} ,"s", 12 ]"#;
        let (parts, stop) = split_array(doc, 0);
        assert_eq!(stop, None);
        let texts: Vec<_> = parts.iter().map(|r| &doc[r.clone()]).collect();
        assert_eq!(
            texts,
            vec![
                &br#"{"a":"}]\"{"}"#[..],
                br#"{"b":[1,2]}"#,
                br#""s""#,
                b"12"
            ]
        );
    }

    #[test]
    fn truncated_array_keeps_complete_elements() {
        let doc = br#"{"Records":[{"a":1},{"b":2},{"c":"#;
        let open = find_key_array(doc, 0, "Records").expect("key");
        let (parts, stop) = split_array(doc, open);
        assert_eq!(parts.len(), 2);
        let stop = stop.expect("stop");
        assert_eq!(stop.offset, 28);
    }

    #[test]
    fn finds_key_after_other_members() {
        let doc = br#"{ "x": {"Records": 1}, "Records" : [ ] }"#;
        let open = find_key_array(doc, 0, "Records").expect("key");
        assert_eq!(doc[open], b'[');
        assert_eq!(split_array(doc, open).0.len(), 0);
    }

    #[test]
    fn lines_and_line_numbers() {
        let buf = b"{\"a\":1}\n\n  \n{\"b\":2}";
        let lines = split_lines(buf);
        assert_eq!(lines.iter().map(|l| l.0).collect::<Vec<_>>(), vec![1, 4]);
        assert_eq!(line_of(buf, 12), 4);
    }
}

pub use crate::model::json::minify;

#[cfg(test)]
mod minify_tests {
    #[test]
    fn keeps_strings_and_order() {
        let pretty = b"{\n  \"b\" : \"x  y\\\" z\",\n  \"a\": [ 1, 2 ]\n}";
        assert_eq!(super::minify(pretty), r#"{"b":"x  y\" z","a":[1,2]}"#);
    }
}
