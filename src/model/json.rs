//! Raw record text helpers: the store minifies records with them, and ingest's scanners share the
//! string skipping.

/// Byte offset just past the closing quote of the string whose opening quote is at `open`.
pub fn skip_string(buf: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    loop {
        let rel = memchr::memchr2(b'"', b'\\', buf.get(i..)?)?;
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

/// Removes whitespace outside strings: a pretty-printed record becomes one JSON Lines line with its
/// keys, order and string contents untouched.
pub fn minify(buf: &[u8]) -> String {
    let mut out = Vec::with_capacity(buf.len());
    let mut i = 0;
    while i < buf.len() {
        match buf[i] {
            b'"' => {
                let end = skip_string(buf, i).unwrap_or(buf.len()).min(buf.len());
                out.extend_from_slice(&buf[i..end]);
                i = end;
            }
            b' ' | b'\n' | b'\r' | b'\t' => i += 1,
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_strings_and_order() {
        let pretty = b"{\n  \"b\" : \"x  y\\\" z\",\n  \"a\": [ 1, 2 ]\n}";
        assert_eq!(super::minify(pretty), r#"{"b":"x  y\" z","a":[1,2]}"#);
        assert_eq!(super::minify(b"{\"cut\\"), "{\"cut\\");
    }
}
