//! The query language shared by `cttui events --filter`, the TUI filter box and the playbook views.
//!
//! ```text
//! name:GetObject user:*attacker*      implicit AND, `*`/`?` wildcards, case-insensitive
//! error:* -error:AccessDenied         any error but AccessDenied (`-` or NOT negates)
//! ua:"aws-cli/2*"                     quoted values
//! time>=2020-09-14T00:40 bytes_out>1000000
//! (ip:203.0.113.7 OR ip:198.51.100.*) ListBuckets      bare words search the text columns
//! ```
//! A query compiles to one polars expression over the store's columns.
use polars::prelude::*;

use super::schema::{self, TEXT_SEARCH_COLUMNS};
use crate::error::{Error, Result};
use crate::ingest::time::parse_time_ms;
use crate::model::store::EventStore;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Time,
    Int,
    Bool,
}

/// Query field aliases to (column, kind).
fn field(alias: &str) -> Option<(&'static str, Kind)> {
    use Kind::*;
    Some(match alias.to_ascii_lowercase().as_str() {
        "name" | "event" | "eventname" | "event_name" => ("event_name", Text),
        "source" | "service" | "eventsource" | "event_source" => ("event_source", Text),
        "user" | "principal" => ("principal", Text),
        "ip" | "sourceip" | "source_ip" | "sourceipaddress" => ("source_ip", Text),
        "region" | "awsregion" | "aws_region" => ("aws_region", Text),
        "error" | "errorcode" | "error_code" => ("error_code", Text),
        "message" | "msg" | "error_message" => ("error_message", Text),
        "bucket" => ("bucket", Text),
        "key" | "object" | "object_key" => ("object_key", Text),
        "ua" | "useragent" | "user_agent" => ("user_agent", Text),
        "type" | "identity_type" => ("identity_type", Text),
        "account" | "account_id" => ("account_id", Text),
        "recipient" | "recipient_account_id" => ("recipient_account_id", Text),
        "akid" | "access_key" | "access_key_id" => ("access_key_id", Text),
        "username" | "user_name" => ("user_name", Text),
        "issuer" | "session_issuer" => ("session_issuer", Text),
        "category" | "event_category" => ("event_category", Text),
        "event_type" | "eventtype" => ("event_type", Text),
        "request_id" | "requestid" => ("request_id", Text),
        "id" | "event_id" | "eventid" => ("event_id", Text),
        "time" | "event_time" | "eventtime" => (schema::EVENT_TIME, Time),
        "bytes" | "bytes_out" => (schema::BYTES_OUT, Int),
        "bytes_in" => (schema::BYTES_IN, Int),
        "read_only" | "readonly" => (schema::READ_ONLY, Bool),
        "management" | "management_event" => (schema::MANAGEMENT_EVENT, Bool),
        "mfa" | "mfa_authenticated" => (schema::MFA_AUTHENTICATED, Bool),
        "outside" | "outside_aws" => (schema::OUTSIDE_AWS, Bool),
        _ => return None,
    })
}

/// The store column a query field (or alias) reads: `ua` -> `user_agent`. Exports use it so
/// `--columns` takes the same names as a filter.
pub fn field_column(name: &str) -> Option<&'static str> {
    field(name).map(|(column, _)| column)
}

/// The fields the help screen lists.
pub const FIELD_HELP: &str = "name source user ip region error message bucket key ua type account \
recipient akid username issuer category event_type request_id id time bytes_out bytes_in read_only \
management mfa outside";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Field {
        column: &'static str,
        kind: Kind,
        op: Op,
        value: String,
        pos: usize,
    },
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
    /// A term's text with quotes resolved, whether any part was quoted, and its start column.
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
        match c {
            '(' => {
                out.push((Tok::LParen, pos));
                i += 1;
                continue;
            }
            ')' => {
                out.push((Tok::RParen, pos));
                i += 1;
                continue;
            }
            '-' if chars.get(i + 1).is_some_and(|(_, n)| !n.is_whitespace()) => {
                out.push((Tok::Minus, pos));
                i += 1;
                continue;
            }
            _ => {}
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
                    let (_, q) = chars[i];
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
}

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
        match self.peek() {
            Some(Tok::Minus) | Some(Tok::Not) => {
                self.at += 1;
                Ok(Node::Not(Box::new(self.unary()?)))
            }
            _ => self.primary(),
        }
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
            Tok::Term(text, quoted) => term(&text, quoted, pos),
            Tok::RParen => Err(err(pos, "unexpected ')'")),
            Tok::Or | Tok::And => Err(err(pos, "expected a term before OR/AND")),
            Tok::Minus | Tok::Not => Err(err(pos, "expected a term")),
        }
    }
}

/// Splits `field<op>value`; `None` when the text is a bare word.
fn term(text: &str, quoted: bool, pos: usize) -> Result<Node> {
    let split = text.find([':', '<', '>', '=', '!']);
    let Some(at) = split.filter(|&at| at > 0) else {
        return Ok(Node::Bare(text.to_owned()));
    };
    let name = &text[..at];
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
        return Ok(Node::Bare(text.to_owned()));
    };
    let Some((column, kind)) = field(name) else {
        // Only a plain word before the operator is taken as a (mistyped) field name; ARNs,
        // `s3:GetObject` and the like stay searchable as bare words.
        if name.chars().all(|c| c.is_ascii_alphabetic() || c == '_') && name != "arn" {
            return Err(err(
                pos,
                format!("unknown field '{name}' (fields: {FIELD_HELP})"),
            ));
        }
        return Ok(Node::Bare(text.to_owned()));
    };
    if value.is_empty() && !quoted {
        return Err(err(pos + at, format!("'{name}' needs a value")));
    }
    if kind == Kind::Text && !matches!(op, Op::Eq | Op::Ne) {
        return Err(err(
            pos + at,
            format!("'{name}' is text: use ':' not a comparison"),
        ));
    }
    Ok(Node::Field {
        column,
        kind,
        op,
        value: value.to_owned(),
        pos: pos + at + 1,
    })
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A glob (`*`, `?`) as a case-insensitive regex, anchored when `whole` is set. A leading or
/// trailing `*` drops that anchor instead of becoming `.*`: `*attacker*` is then a plain substring
/// search, which the regex engine runs several times faster than `^.*attacker.*$`.
fn glob_regex(value: &str, whole: bool) -> String {
    let lead = value.starts_with('*');
    let trail = value.len() > 1 && value.ends_with('*');
    let core = value.strip_prefix('*').unwrap_or(value);
    let core = if trail {
        core.strip_suffix('*').unwrap_or(core)
    } else {
        core
    };
    let mut re = String::from("(?is)");
    if whole && !lead {
        re.push('^');
    }
    for c in core.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex_escape(&c.to_string())),
        }
    }
    if whole && !trail {
        re.push('$');
    }
    re
}

fn datetime_lit(ms: i64) -> Expr {
    lit(ms).cast(DataType::Datetime(TimeUnit::Milliseconds, None))
}

/// A time value and the length of the period it names (a day, minute, second...).
fn parse_time_value(v: &str) -> Option<(i64, i64)> {
    const DAY: i64 = 86_400_000;
    let digits = v.chars().filter(char::is_ascii_digit).count();
    match v.len() {
        10 => parse_time_ms(&format!("{v}T00:00:00Z")).map(|t| (t, DAY)),
        13 => parse_time_ms(&format!("{v}:00:00Z")).map(|t| (t, 3_600_000)),
        16 => parse_time_ms(&format!("{v}:00Z")).map(|t| (t, 60_000)),
        _ if digits == v.len() => parse_time_ms(v).map(|t| (t, 1000)),
        _ => parse_time_ms(v).map(|t| (t, 1000)),
    }
}

fn compile(node: &Node) -> Result<Expr> {
    Ok(match node {
        Node::And(parts) => {
            let mut it = parts.iter();
            let first = compile(it.next().ok_or_else(|| err(0, "empty AND"))?)?;
            it.try_fold(first, |acc, n| Ok::<_, Error>(acc.and(compile(n)?)))?
        }
        Node::Or(parts) => {
            let mut it = parts.iter();
            let first = compile(it.next().ok_or_else(|| err(0, "empty OR"))?)?;
            it.try_fold(first, |acc, n| Ok::<_, Error>(acc.or(compile(n)?)))?
        }
        Node::Not(inner) => compile(inner)?.not(),
        Node::Bare(word) => {
            let re = glob_regex(word, false);
            let mut it = TEXT_SEARCH_COLUMNS.iter().map(|c| {
                col(*c)
                    .str()
                    .contains(lit(re.clone()), true)
                    .fill_null(lit(false))
            });
            let first = it.next().ok_or_else(|| err(0, "no text columns"))?;
            it.fold(first, |acc, e| acc.or(e))
        }
        Node::Field {
            column,
            kind,
            op,
            value,
            pos,
        } => field_expr(column, *kind, *op, value, *pos - 1)?,
    })
}

fn field_expr(column: &str, kind: Kind, op: Op, value: &str, pos: usize) -> Result<Expr> {
    let c = col(column);
    if value == "*" {
        let e = c.is_not_null();
        return Ok(if op == Op::Ne { e.not() } else { e });
    }
    let e = match kind {
        Kind::Text => {
            if value.is_empty() {
                c.is_null()
            } else {
                c.str()
                    .contains(lit(glob_regex(value, true)), true)
                    .fill_null(lit(false))
            }
        }
        Kind::Bool => {
            let b = crate::ingest::record::parse_bool(Some(value))
                .ok_or_else(|| err(pos, format!("expected true or false, got '{value}'")))?;
            c.eq(lit(b)).fill_null(lit(false))
        }
        Kind::Int => {
            let n: i64 = parse_size(value)
                .ok_or_else(|| err(pos, format!("expected a number, got '{value}'")))?;
            cmp(c, op, lit(n), lit(n))
        }
        Kind::Time => {
            let (t, period) = parse_time_value(value).ok_or_else(|| {
                err(
                    pos,
                    format!("expected a time like 2020-09-14T00:40, got '{value}'"),
                )
            })?;
            match op {
                // `time:2020-09-14` is the whole day; `time>2020-09-14` is after it.
                Op::Eq => c
                    .clone()
                    .gt_eq(datetime_lit(t))
                    .and(c.lt(datetime_lit(t + period)))
                    .fill_null(lit(false)),
                Op::Ne => c
                    .clone()
                    .lt(datetime_lit(t))
                    .or(c.gt_eq(datetime_lit(t + period)))
                    .fill_null(lit(false)),
                Op::Gt => cmp(c, Op::Ge, datetime_lit(t + period), datetime_lit(t)),
                Op::Le => cmp(c, Op::Lt, datetime_lit(t + period), datetime_lit(t)),
                _ => cmp(c, op, datetime_lit(t), datetime_lit(t)),
            }
        }
    };
    // `!=` on text/bool negates the match.
    Ok(if op == Op::Ne && matches!(kind, Kind::Text | Kind::Bool) {
        e.not()
    } else {
        e
    })
}

fn cmp(c: Expr, op: Op, v: Expr, eq: Expr) -> Expr {
    let e = match op {
        Op::Eq => c.eq(eq),
        Op::Ne => c.neq(eq),
        Op::Gt => c.gt(v),
        Op::Ge => c.gt_eq(v),
        Op::Lt => c.lt(v),
        Op::Le => c.lt_eq(v),
    };
    e.fill_null(lit(false))
}

/// `1000`, `10k`, `5MB`, `1.5G` (decimal), `64KiB`, `2Mi` (binary).
fn parse_size(v: &str) -> Option<i64> {
    let lower = v.to_ascii_lowercase();
    let t = lower.strip_suffix('b').unwrap_or(&lower);
    let (t, binary) = match t.strip_suffix('i') {
        Some(rest) => (rest, true),
        None => (t, false),
    };
    let step: i64 = if binary { 1024 } else { 1000 };
    let (num, power) = match t.chars().last()? {
        'k' => (&t[..t.len() - 1], 1),
        'm' => (&t[..t.len() - 1], 2),
        'g' => (&t[..t.len() - 1], 3),
        't' => (&t[..t.len() - 1], 4),
        _ => (t, 0),
    };
    let f: f64 = num.parse().ok()?;
    Some((f * step.pow(power) as f64).round() as i64)
}

/// A parsed query.
#[derive(Debug, Clone)]
pub struct Query {
    text: String,
    node: Option<Node>,
}

impl Query {
    /// Parses query text; an empty query matches everything.
    pub fn parse(text: &str) -> Result<Query> {
        let toks = lex(text)?;
        let node = if toks.is_empty() {
            None
        } else {
            let mut p = Parser {
                toks,
                at: 0,
                end: text.chars().count(),
            };
            let n = p.or()?;
            if p.at < p.toks.len() {
                return Err(err(p.pos(), "unexpected ')'"));
            }
            Some(n)
        };
        Ok(Query {
            text: text.to_owned(),
            node,
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.node.is_none()
    }

    /// The polars expression; `None` for the empty query.
    pub fn expr(&self) -> Result<Option<Expr>> {
        self.node.as_ref().map(compile).transpose()
    }

    /// The rows (store order) that match, within `within` when given.
    pub fn rows(&self, store: &EventStore, within: Option<&[u32]>) -> Result<Vec<u32>> {
        let Some(expr) = self.expr()? else {
            return Ok(within.map_or_else(|| (0..store.len() as u32).collect(), <[u32]>::to_vec));
        };
        let df = match within {
            Some(rows) => {
                let idx =
                    IdxCa::from_vec("idx".into(), rows.iter().map(|&r| r as IdxSize).collect());
                store.df().take(&idx)?
            }
            None => store.df().clone(),
        };
        let out = df
            .lazy()
            .filter(expr)
            .select([col(schema::ROW_ID)])
            .collect()?;
        let ids = out.column(schema::ROW_ID)?.u32()?;
        Ok(ids.into_no_null_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_err(q: &str) -> (usize, String) {
        match Query::parse(q).and_then(|q| q.expr().map(|_| ())) {
            Err(Error::Query { pos, msg }) => (pos, msg),
            other => panic!("expected an error for {q:?}, got {other:?}"),
        }
    }

    #[test]
    fn structure() {
        let q = Query::parse("name:GetObject -error:* (ip:1.2.3.4 OR ua:\"aws cli*\") word")
            .expect("parses");
        let Some(Node::And(parts)) = q.node else {
            panic!("and")
        };
        assert_eq!(parts.len(), 4);
        assert!(matches!(parts[1], Node::Not(_)));
        assert!(matches!(&parts[2], Node::Or(v) if v.len() == 2));
        assert_eq!(parts[3], Node::Bare("word".into()));
        let Node::Or(or) = &parts[2] else { panic!() };
        assert!(matches!(&or[1], Node::Field { value, .. } if value == "aws cli*"));
    }

    #[test]
    fn arns_and_service_prefixes_are_bare_words() {
        let q = Query::parse("arn:aws:iam::1:user/x s3:GetObject").expect("parses");
        let Some(Node::And(parts)) = q.node else {
            panic!()
        };
        assert!(parts.iter().all(|p| matches!(p, Node::Bare(_))));
    }

    #[test]
    fn syntax_errors_name_their_position() {
        assert_eq!(parse_err("name:X (ip:1").0, 13);
        assert_eq!(parse_err("name:X )").0, 8);
        assert_eq!(parse_err("OR name:X").0, 1);
        assert!(parse_err("ua:\"abc").1.contains("unterminated"));
        let (pos, msg) = parse_err("name:X nmae:Y");
        assert_eq!(pos, 8);
        assert!(msg.contains("unknown field 'nmae'"));
        assert!(parse_err("time>=yesterday").1.contains("expected a time"));
        assert!(parse_err("bytes_out>lots").1.contains("expected a number"));
        assert!(parse_err("name>X").1.contains("is text"));
        assert_eq!(parse_err("name:").0, 5);
    }

    #[test]
    fn globs_and_sizes() {
        assert_eq!(glob_regex("*att.cker?", true), "(?is)att\\.cker.$");
        assert_eq!(glob_regex("*attacker*", true), "(?is)attacker");
        assert_eq!(glob_regex("Get*", true), "(?is)^Get");
        assert_eq!(glob_regex("GetObject", true), "(?is)^GetObject$");
        assert_eq!(glob_regex("a*b", true), "(?is)^a.*b$");
        assert_eq!(parse_size("10k"), Some(10_000));
        assert_eq!(parse_size("1.5MB"), Some(1_500_000));
        assert_eq!(parse_size("64KiB"), Some(65_536));
        assert_eq!(parse_size("2Mi"), Some(2 << 20));
        assert_eq!(parse_size("42"), Some(42));
        assert_eq!(
            parse_time_value("2020-09-14").map(|t| t.1),
            Some(86_400_000)
        );
        assert_eq!(
            parse_time_value("2020-09-14T00:40").map(|t| t.1),
            Some(60_000)
        );
    }
}
