//! The query language (see `model::query`) read into a small tree that can be rendered as SQL, and
//! the partition hints a filter gives a Parquet load.
//!
//! The grammar mirrors `model::query`'s lexer and parser: `field:value` terms (case-insensitive
//! `*`/`?` globs), `field>=value` comparisons, bare words, `-`/`NOT`, implicit AND, `AND`, `OR`,
//! parentheses, and double-quoted values with backslash escapes. Field names are resolved with
//! `model::query::field_column`, so both agree on what a field means.
use crate::error::{Error, Result};
use crate::ingest::parquet::Slice;
use crate::ingest::time::parse_time_ms;
use crate::model::query::field_column;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    /// A field term: the store column, the operator and the unquoted value.
    Field {
        column: &'static str,
        op: Op,
        value: String,
    },
    /// A word searched in the text columns.
    Bare(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Minus,
    Or,
    And,
    Not,
    Term(String, bool),
}

fn err(pos: usize, msg: impl Into<String>) -> Error {
    Error::Query {
        pos: pos + 1,
        msg: msg.into(),
    }
}

fn lex(input: &str) -> Result<Vec<(Tok, usize)>> {
    let chars: Vec<(usize, char)> = input.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '-' if chars.get(i + 1).is_some_and(|(_, n)| !n.is_whitespace()) => Some(Tok::Minus),
            _ => None,
        };
        if let Some(t) = single {
            out.push((t, pos));
            i += 1;
            continue;
        }
        let mut text = String::new();
        let mut quoted = false;
        while i < chars.len() {
            let (p, c) = chars[i];
            if c.is_whitespace() || c == '(' || c == ')' {
                break;
            }
            if c == '"' {
                quoted = true;
                i += 1;
                let mut closed = false;
                while i < chars.len() {
                    let q = chars[i].1;
                    if q == '\\' && i + 1 < chars.len() {
                        text.push(chars[i + 1].1);
                        i += 2;
                        continue;
                    }
                    i += 1;
                    if q == '"' {
                        closed = true;
                        break;
                    }
                    text.push(q);
                }
                if !closed {
                    return Err(err(p, "unterminated quote"));
                }
                continue;
            }
            text.push(c);
            i += 1;
        }
        let tok = match text.as_str() {
            "OR" | "||" if !quoted => Tok::Or,
            "AND" | "&&" if !quoted => Tok::And,
            "NOT" if !quoted => Tok::Not,
            _ => Tok::Term(text, quoted),
        };
        out.push((tok, pos));
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    at: usize,
    end: usize,
    depth: usize,
}

/// Nesting beyond this is refused (a hostile filter must not exhaust the stack).
const MAX_DEPTH: usize = 64;

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|t| &t.0)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.at).map_or(self.end, |t| t.1)
    }

    fn or(&mut self) -> Result<Node> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Node::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Node> {
        let mut parts = vec![self.unary()?];
        loop {
            match self.peek() {
                None | Some(Tok::Or) | Some(Tok::RParen) => break,
                Some(Tok::And) => {
                    self.at += 1;
                    parts.push(self.unary()?);
                }
                Some(_) => parts.push(self.unary()?),
            }
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Node::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Node> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(self.pos(), "filter nested too deeply"));
        }
        let node = match self.peek() {
            Some(Tok::Minus) | Some(Tok::Not) => {
                self.at += 1;
                self.unary().map(|n| Node::Not(Box::new(n)))
            }
            _ => self.primary(),
        };
        self.depth -= 1;
        node
    }

    fn primary(&mut self) -> Result<Node> {
        let pos = self.pos();
        let Some((tok, _)) = self.toks.get(self.at).cloned() else {
            return Err(err(pos, "expected a term"));
        };
        self.at += 1;
        match tok {
            Tok::LParen => {
                let inner = self.or()?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(err(self.pos(), "expected ')'"));
                }
                self.at += 1;
                Ok(inner)
            }
            Tok::Term(text, _) => Ok(term(&text)),
            Tok::RParen => Err(err(pos, "unexpected ')'")),
            Tok::Or | Tok::And => Err(err(pos, "expected a term before OR/AND")),
            Tok::Minus | Tok::Not => Err(err(pos, "expected a term")),
        }
    }
}

fn term(text: &str) -> Node {
    let Some(at) = text.find([':', '<', '>', '=', '!']).filter(|&at| at > 0) else {
        return Node::Bare(text.to_owned());
    };
    let rest = &text[at..];
    let (op, value) = if let Some(v) = rest.strip_prefix(">=") {
        (Op::Ge, v)
    } else if let Some(v) = rest.strip_prefix("<=") {
        (Op::Le, v)
    } else if let Some(v) = rest.strip_prefix("!=") {
        (Op::Ne, v)
    } else if let Some(v) = rest.strip_prefix('>') {
        (Op::Gt, v)
    } else if let Some(v) = rest.strip_prefix('<') {
        (Op::Lt, v)
    } else if let Some(v) = rest.strip_prefix(':').or_else(|| rest.strip_prefix('=')) {
        (Op::Eq, v)
    } else {
        return Node::Bare(text.to_owned());
    };
    match field_column(&text[..at]) {
        Some(column) => Node::Field {
            column,
            op,
            value: value.to_owned(),
        },
        None => Node::Bare(text.to_owned()),
    }
}

/// Parses a filter; the empty filter is `None` (everything).
pub fn parse(input: &str) -> Result<Option<Node>> {
    let toks = lex(input)?;
    if toks.is_empty() {
        return Ok(None);
    }
    let mut p = Parser {
        toks,
        at: 0,
        end: input.len(),
        depth: 0,
    };
    let node = p.or()?;
    if p.at < p.toks.len() {
        return Err(err(p.pos(), "unexpected ')'"));
    }
    Ok(Some(node))
}

/// A time value and the length of the period it names, as the query language reads it.
pub fn time_value(v: &str) -> Option<(i64, i64)> {
    const DAY: i64 = 86_400_000;
    match v.len() {
        10 => parse_time_ms(&format!("{v}T00:00:00Z")).map(|t| (t, DAY)),
        13 => parse_time_ms(&format!("{v}:00:00Z")).map(|t| (t, 3_600_000)),
        16 => parse_time_ms(&format!("{v}:00Z")).map(|t| (t, 60_000)),
        _ => parse_time_ms(v).map(|t| (t, 1000)),
    }
}

/// What a filter says about partitions: regions, event sources and a time window every matching
/// event must lie in. Only top-level AND terms (and ORs of one field) narrow; anything else keeps
/// everything, so a hint never drops a matching event.
pub fn slice_hints(filter: &str) -> Result<Slice> {
    let mut slice = Slice::default();
    let Some(node) = parse(filter)? else {
        return Ok(slice);
    };
    let parts = match node {
        Node::And(parts) => parts,
        other => vec![other],
    };
    for part in &parts {
        if let Some(values) = equal_values(part, "aws_region") {
            slice.regions = Some(values);
        } else if let Some(values) = equal_values(part, "event_source") {
            slice.sources = Some(values);
        } else if let Node::Field {
            column: "event_time",
            op,
            value,
        } = part
            && let Some((t, len)) = time_value(value)
        {
            let (since, until) = match op {
                Op::Eq => (Some(t), Some(t + len - 1)),
                Op::Ge => (Some(t), None),
                Op::Gt => (Some(t + len), None),
                Op::Le => (None, Some(t + len - 1)),
                Op::Lt => (None, Some(t - 1)),
                Op::Ne => (None, None),
            };
            if let Some(s) = since {
                slice.since = Some(slice.since.map_or(s, |x| x.max(s)));
            }
            if let Some(u) = until {
                slice.until = Some(slice.until.map_or(u, |x| x.min(u)));
            }
        }
    }
    Ok(slice)
}

/// The values of `column:value` or an OR of such terms on one column.
fn equal_values(node: &Node, column: &str) -> Option<Vec<String>> {
    match node {
        Node::Field {
            column: c,
            op: Op::Eq,
            value,
        } if *c == column && !value.is_empty() => Some(vec![value.clone()]),
        Node::Or(parts) => parts
            .iter()
            .map(|p| equal_values(p, column))
            .collect::<Option<Vec<Vec<String>>>>()
            .map(|v| v.concat()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_the_query_language() {
        let n = parse(
            r#"source:s3.amazonaws.com (name:GetObject OR name:HeadObject) -error:* user:"a\"b""#,
        )
        .expect("parses")
        .expect("not empty");
        let Node::And(parts) = n else {
            panic!("an AND: {n:?}")
        };
        assert_eq!(parts.len(), 4);
        assert!(matches!(&parts[1], Node::Or(v) if v.len() == 2));
        assert!(matches!(&parts[2], Node::Not(_)));
        assert_eq!(
            parts[3],
            Node::Field {
                column: "principal",
                op: Op::Eq,
                value: "a\"b".into()
            }
        );
        assert_eq!(parse("  ").expect("empty ok"), None);
        assert!(parse("(name:x").is_err());
        assert!(parse(r#"user:"open"#).is_err());
        assert!(parse(&"(".repeat(500)).is_err());
    }

    #[test]
    fn hints_come_only_from_top_level_terms() {
        let s = slice_hints("region:us-east-1 (source:s3.amazonaws.com OR source:sts.amazonaws.com) time>=2020-09-14")
            .expect("hints");
        assert_eq!(s.regions, Some(vec!["us-east-1".to_owned()]));
        assert_eq!(
            s.sources,
            Some(vec![
                "s3.amazonaws.com".to_owned(),
                "sts.amazonaws.com".to_owned()
            ])
        );
        assert_eq!(s.since, parse_time_ms("2020-09-14T00:00:00Z"));
        assert_eq!(s.until, None);
        // An OR across fields, or a negation, says nothing about partitions.
        let s = slice_hints("region:us-east-1 OR name:GetObject").expect("hints");
        assert_eq!(s, Slice::default());
        let s = slice_hints("-region:us-east-1").expect("hints");
        assert_eq!(s, Slice::default());
        let s = slice_hints("time:2020-09-14").expect("hints");
        assert_eq!(s.until, parse_time_ms("2020-09-14T23:59:59.999Z"));
    }
}
