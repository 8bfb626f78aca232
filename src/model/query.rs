//! The query language shared by `cttui events --filter`, the TUI filter box and the playbook views.
//!
//! ```text
//! name:GetObject user:*attacker*      implicit AND, `*`/`?` wildcards, case-insensitive
//! user:user/alice.nguyen              a principal by its full ARN or by a tail of it after ':' or '/'
//! error:* -error:AccessDenied         any error but AccessDenied (`-` or NOT negates)
//! ua:"aws-cli/2*"                     quoted values; `\*` inside quotes is a literal star
//! time>=2020-09-14T00:40 bytes_out>1000000
//! (ip:203.0.113.7 OR ip:198.51.100.*) ListBuckets      bare words search the text columns
//! rule:s3-bulk-read level>=high risk:critical           the analysis' findings and event risk
//! ```
//! Text is parsed into a typed [`Filter`] (the AST), which code can also build directly; its
//! `Display` is text the parser reads back to the same filter. A query runs over the store's
//! columns in one pass per term (no recursion deeper than [`MAX_DEPTH`]).
use std::cell::RefCell;
use std::fmt;

use polars::prelude::*;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::schema::{self, TEXT_SEARCH_COLUMNS};
use super::time::parse_literal;
use crate::error::{Error, Result};
use crate::model::store::EventStore;

/// Deepest nesting of parentheses and negations a query may have.
pub const MAX_DEPTH: usize = 64;

/// What a field holds, which decides the operators and values it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Time,
    Int,
    Bool,
    /// An ordered level (`low` .. `critical`) from the analysis.
    Level,
}

macro_rules! fields {
    ($($v:ident = $name:literal, $col:expr, $kind:ident, [$($alias:literal),*];)*) => {
        /// A query field.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Field { $($v),* }

        impl Field {
            pub const ALL: &'static [Field] = &[$(Field::$v),*];

            /// The name `Display` writes.
            pub fn name(self) -> &'static str {
                match self { $(Field::$v => $name),* }
            }

            /// The store column, or "" for fields answered by the analysis.
            pub fn column(self) -> &'static str {
                match self { $(Field::$v => $col),* }
            }

            pub fn kind(self) -> Kind {
                match self { $(Field::$v => Kind::$kind),* }
            }

            /// The field a name or alias (any case) stands for.
            pub fn from_alias(alias: &str) -> Option<Field> {
                let a = alias.to_ascii_lowercase();
                match a.as_str() {
                    $($name $(| $alias)* => Some(Field::$v),)*
                    _ => None,
                }
            }
        }
    };
}

fields! {
    Name = "name", "event_name", Text, ["event", "eventname", "event_name"];
    Source = "source", "event_source", Text, ["service", "eventsource", "event_source"];
    User = "user", "principal", Text, ["principal"];
    Ip = "ip", "source_ip", Text, ["sourceip", "source_ip", "sourceipaddress"];
    Region = "region", "aws_region", Text, ["awsregion", "aws_region"];
    Error = "error", "error_code", Text, ["errorcode", "error_code"];
    Message = "message", "error_message", Text, ["msg", "error_message"];
    Bucket = "bucket", "bucket", Text, [];
    Key = "key", "object_key", Text, ["object", "object_key"];
    Ua = "ua", "user_agent", Text, ["useragent", "user_agent"];
    Type = "type", "identity_type", Text, ["identity_type"];
    Account = "account", "account_id", Text, ["account_id"];
    Recipient = "recipient", "recipient_account_id", Text, ["recipient_account_id"];
    Akid = "akid", "access_key_id", Text, ["access_key", "access_key_id"];
    Username = "username", "user_name", Text, ["user_name"];
    Issuer = "issuer", "session_issuer", Text, ["session_issuer"];
    Category = "category", "event_category", Text, ["event_category"];
    EventType = "event_type", "event_type", Text, ["eventtype"];
    RequestId = "request_id", "request_id", Text, ["requestid"];
    Id = "id", "event_id", Text, ["event_id", "eventid"];
    Time = "time", schema::EVENT_TIME, Time, ["event_time", "eventtime"];
    BytesOut = "bytes_out", schema::BYTES_OUT, Int, ["bytes"];
    BytesIn = "bytes_in", schema::BYTES_IN, Int, [];
    ReadOnly = "read_only", schema::READ_ONLY, Bool, ["readonly"];
    Management = "management", schema::MANAGEMENT_EVENT, Bool, ["management_event"];
    Mfa = "mfa", schema::MFA_AUTHENTICATED, Bool, ["mfa_authenticated"];
    Outside = "outside", schema::OUTSIDE_AWS, Bool, ["outside_aws"];
    Net = "net", schema::NET_CLASS, Text, ["net_class"];
    Rule = "rule", "", Text, ["rule_id"];
    Level = "level", "", Level, [];
    Risk = "risk", "", Level, [];
}

impl Field {
    /// Whether the field reads the analysis' annotations rather than a store column.
    pub fn needs_analysis(self) -> bool {
        self.column().is_empty()
    }
}

/// The store column a query field alias names (for translating queries to SQL).
pub fn field_column(alias: &str) -> Option<&'static str> {
    Field::from_alias(alias)
        .map(Field::column)
        .filter(|c| !c.is_empty())
}

/// The fields the help screen lists.
pub const FIELD_HELP: &str = "name source user ip region error message bucket key ua type account \
recipient akid username issuer category event_type request_id id time bytes_out bytes_in read_only \
management mfa outside net rule level risk";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl Op {
    fn text(self) -> &'static str {
        match self {
            Op::Eq => ":",
            Op::Ne => "!=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Lt => "<",
            Op::Le => "<=",
        }
    }
}

/// A value: matched whole and literally, or a glob whose `*` and `?` are wildcards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Exact(String),
    Glob(String),
}

impl Value {
    pub fn exact(s: impl Into<String>) -> Value {
        Value::Exact(s.into())
    }

    /// A glob; without `*` or `?` it is the same as an exact value.
    pub fn glob(s: impl Into<String>) -> Value {
        let s = s.into();
        if s.contains(['*', '?']) {
            Value::Glob(s)
        } else {
            Value::Exact(s)
        }
    }

    pub fn text(&self) -> &str {
        match self {
            Value::Exact(s) | Value::Glob(s) => s,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::exact(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Exact(s)
    }
}

/// A query as a value: what the parser produces and what pivots and the playbook build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Every event (the empty query).
    All,
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Term {
        field: Field,
        op: Op,
        value: Value,
    },
    /// A word searched in the text columns.
    Word(Value),
}

impl Filter {
    /// `field:value`, the value matched whole (no wildcards).
    pub fn is(field: Field, value: impl Into<String>) -> Filter {
        Filter::Term {
            field,
            op: Op::Eq,
            value: Value::exact(value),
        }
    }

    /// `field:glob`.
    pub fn like(field: Field, glob: impl Into<String>) -> Filter {
        Filter::Term {
            field,
            op: Op::Eq,
            value: Value::glob(glob),
        }
    }

    /// `field<op>value` for numbers, times and levels (`bytes_out>1000`, `time>=2024-04-15`).
    pub fn cmp(field: Field, op: Op, value: impl Into<String>) -> Filter {
        Filter::Term {
            field,
            op,
            value: Value::exact(value),
        }
    }

    /// `field:*`: the field has a value.
    pub fn present(field: Field) -> Filter {
        Filter::like(field, "*")
    }

    pub fn word(value: impl Into<Value>) -> Filter {
        Filter::Word(value.into())
    }

    /// Every filter must hold; nested ANDs are flattened and `All` dropped.
    pub fn all(parts: impl IntoIterator<Item = Filter>) -> Filter {
        let mut out = Vec::new();
        for p in parts {
            match p {
                Filter::All => {}
                Filter::And(v) => out.extend(v),
                p => out.push(p),
            }
        }
        match out.len() {
            0 => Filter::All,
            1 => out.remove(0),
            _ => Filter::And(out),
        }
    }

    /// Any filter may hold; nested ORs are flattened; `All` anywhere makes the whole `All`.
    pub fn any(parts: impl IntoIterator<Item = Filter>) -> Filter {
        let mut out = Vec::new();
        for p in parts {
            match p {
                Filter::All => return Filter::All,
                Filter::Or(v) => out.extend(v),
                p => out.push(p),
            }
        }
        match out.len() {
            0 => Filter::All,
            1 => out.remove(0),
            _ => Filter::Or(out),
        }
    }

    pub fn and(self, other: Filter) -> Filter {
        Filter::all([self, other])
    }

    pub fn or(self, other: Filter) -> Filter {
        Filter::any([self, other])
    }

    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Filter {
        Filter::Not(Box::new(self))
    }

    /// Nesting depth: 1 for a term.
    pub fn depth(&self) -> usize {
        // Iterative, so a deep filter built in code cannot overflow the stack here.
        let mut max = 0;
        let mut stack = vec![(self, 1usize)];
        while let Some((f, d)) = stack.pop() {
            max = max.max(d);
            match f {
                Filter::And(v) | Filter::Or(v) => stack.extend(v.iter().map(|c| (c, d + 1))),
                Filter::Not(c) => stack.push((c, d + 1)),
                _ => {}
            }
        }
        max
    }

    /// Whether any term reads the analysis' annotations (`rule:`, `level:`, `risk:`).
    pub fn needs_analysis(&self) -> bool {
        let mut stack = vec![self];
        while let Some(f) = stack.pop() {
            match f {
                Filter::And(v) | Filter::Or(v) => stack.extend(v),
                Filter::Not(c) => stack.push(c),
                Filter::Term { field, .. } if field.needs_analysis() => return true,
                _ => {}
            }
        }
        false
    }

    /// The filter with every term of `field` whose value is `placeholder` replaced by `with`
    /// (the playbook's `{SUSPECT}` and `{BUCKET}`).
    pub fn substitute(self, field: Field, placeholder: &str, with: &Filter) -> Filter {
        match self {
            Filter::Term {
                field: f,
                op: Op::Eq,
                value: Value::Exact(v),
            } if f == field && v == placeholder => with.clone(),
            Filter::And(v) => Filter::all(
                v.into_iter()
                    .map(|c| c.substitute(field, placeholder, with)),
            ),
            Filter::Or(v) => Filter::any(
                v.into_iter()
                    .map(|c| c.substitute(field, placeholder, with)),
            ),
            Filter::Not(c) => c.substitute(field, placeholder, with).not(),
            f => f,
        }
    }
}

/// Writes a value so the lexer reads back the same value.
fn write_value(f: &mut fmt::Formatter<'_>, v: &Value, force_quotes: bool) -> fmt::Result {
    let (s, exact) = match v {
        Value::Exact(s) => (s.as_str(), true),
        Value::Glob(s) => (s.as_str(), false),
    };
    let plain = !force_quotes
        && !s.is_empty()
        && !matches!(s, "OR" | "AND" | "NOT" | "||" | "&&")
        && !s.starts_with('-')
        && s.chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"()\"\\".contains(c))
        && (!exact || !s.contains(['*', '?']));
    if plain {
        return f.write_str(s);
    }
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' | '\\' => write!(f, "\\{c}")?,
            '*' | '?' if exact => write!(f, "\\{c}")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

impl Filter {
    fn fmt_prec(&self, f: &mut fmt::Formatter<'_>, in_and: bool) -> fmt::Result {
        match self {
            Filter::All => Ok(()),
            Filter::And(v) => {
                for (i, c) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    c.fmt_prec(f, true)?;
                }
                Ok(())
            }
            Filter::Or(v) => {
                if in_and {
                    f.write_str("(")?;
                }
                for (i, c) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" OR ")?;
                    }
                    // An AND inside an OR is written bare (AND binds tighter), a nested OR is
                    // parenthesised so it reads back as the same tree.
                    match c {
                        Filter::Or(_) => {
                            f.write_str("(")?;
                            c.fmt_prec(f, false)?;
                            f.write_str(")")?;
                        }
                        c => c.fmt_prec(f, false)?,
                    }
                }
                if in_and {
                    f.write_str(")")?;
                }
                Ok(())
            }
            Filter::Not(c) => {
                f.write_str("-")?;
                match **c {
                    Filter::And(_) | Filter::Or(_) | Filter::All => {
                        f.write_str("(")?;
                        c.fmt_prec(f, false)?;
                        f.write_str(")")
                    }
                    _ => c.fmt_prec(f, true),
                }
            }
            Filter::Term { field, op, value } => {
                write!(f, "{}{}", field.name(), op.text())?;
                write_value(f, value, false)
            }
            Filter::Word(v) => {
                // A word that would read as `field:value` is quoted whole.
                write_value(f, v, v.text().contains([':', '<', '>', '=', '!']))
            }
        }
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_prec(f, false)
    }
}

// ---------------------------------------------------------------------------------------------
// Lexing and parsing

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Minus,
    Or,
    And,
    Not,
    Term(Lexeme),
}

/// A term's text with quotes resolved; per char, whether it was quoted or escaped (so neither an
/// operator nor a wildcard).
#[derive(Debug, Clone, PartialEq)]
struct Lexeme {
    chars: Vec<(char, bool)>,
    quoted: bool,
}

impl Lexeme {
    fn text(&self, from: usize) -> String {
        self.chars[from..].iter().map(|c| c.0).collect()
    }

    /// The value from `from`: exact unless an unescaped `*`/`?` is in it. An escaped wildcard in a
    /// value that also has real ones becomes `?` (one character).
    fn value(&self, from: usize) -> Value {
        let part = &self.chars[from..];
        if part.iter().any(|&(c, lit)| !lit && (c == '*' || c == '?')) {
            Value::Glob(
                part.iter()
                    .map(|&(c, lit)| {
                        if lit && (c == '*' || c == '?') {
                            '?'
                        } else {
                            c
                        }
                    })
                    .collect(),
            )
        } else {
            Value::Exact(part.iter().map(|c| c.0).collect())
        }
    }
}

fn err(pos: usize, msg: impl Into<String>) -> Error {
    Error::Query {
        pos: pos + 1,
        msg: msg.into(),
    }
}

fn lex(input: &str) -> Result<Vec<(Tok, usize)>> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = i;
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
            '-' if chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) => {
                out.push((Tok::Minus, pos));
                i += 1;
                continue;
            }
            _ => {}
        }
        let mut lexeme = Lexeme {
            chars: Vec::new(),
            quoted: false,
        };
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() || c == '(' || c == ')' {
                break;
            }
            if c == '"' {
                let start = i;
                lexeme.quoted = true;
                i += 1;
                let mut closed = false;
                while i < chars.len() {
                    let q = chars[i];
                    if q == '\\' && i + 1 < chars.len() {
                        lexeme.chars.push((chars[i + 1], true));
                        i += 2;
                        continue;
                    }
                    i += 1;
                    if q == '"' {
                        closed = true;
                        break;
                    }
                    // Quoted text is never an operator; its wildcards still are.
                    let lit = !(q == '*' || q == '?');
                    lexeme.chars.push((q, lit));
                }
                if !closed {
                    return Err(err(start, "unterminated quote"));
                }
                continue;
            }
            lexeme.chars.push((c, false));
            i += 1;
        }
        let bare: String = lexeme.text(0);
        let tok = match bare.as_str() {
            "OR" | "||" if !lexeme.quoted => Tok::Or,
            "AND" | "&&" if !lexeme.quoted => Tok::And,
            "NOT" if !lexeme.quoted => Tok::Not,
            _ => Tok::Term(lexeme),
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

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at).map(|t| &t.0)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.at).map_or(self.end, |t| t.1)
    }

    /// Enters one level of nesting, refusing input nested deeper than [`MAX_DEPTH`].
    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(
                self.pos(),
                format!("query nested deeper than {MAX_DEPTH} levels of parentheses or negations"),
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Filter> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Tok::Or) {
            self.at += 1;
            parts.push(self.and()?);
        }
        Ok(Filter::any(parts))
    }

    fn and(&mut self) -> Result<Filter> {
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
        Ok(Filter::all(parts))
    }

    fn unary(&mut self) -> Result<Filter> {
        // Negations are counted in a loop, not by recursion.
        let mut negations = 0;
        while matches!(self.peek(), Some(Tok::Minus) | Some(Tok::Not)) {
            self.at += 1;
            negations += 1;
            self.enter()?;
        }
        let mut f = self.primary()?;
        for _ in 0..negations {
            f = f.not();
        }
        self.depth -= negations;
        Ok(f)
    }

    fn primary(&mut self) -> Result<Filter> {
        let pos = self.pos();
        let Some((tok, _)) = self.toks.get(self.at).cloned() else {
            return Err(err(pos, "expected a term"));
        };
        self.at += 1;
        match tok {
            Tok::LParen => {
                self.enter()?;
                let inner = self.or()?;
                self.depth -= 1;
                if self.peek() != Some(&Tok::RParen) {
                    return Err(err(self.pos(), "expected ')'"));
                }
                self.at += 1;
                Ok(inner)
            }
            Tok::Term(lexeme) => term(&lexeme, pos),
            Tok::RParen => Err(err(pos, "unexpected ')'")),
            Tok::Or | Tok::And => Err(err(pos, "expected a term before OR/AND")),
            Tok::Minus | Tok::Not => Err(err(pos, "expected a term")),
        }
    }
}

/// Splits `field<op>value` at the first unquoted operator; otherwise a bare word.
fn term(lx: &Lexeme, pos: usize) -> Result<Filter> {
    let split = lx
        .chars
        .iter()
        .position(|&(c, lit)| !lit && matches!(c, ':' | '<' | '>' | '=' | '!'));
    let word = || Filter::Word(lx.value(0));
    let Some(at) = split.filter(|&at| at > 0) else {
        return Ok(word());
    };
    let name: String = lx.chars[..at].iter().map(|c| c.0).collect();
    let next = |k: usize| lx.chars.get(at + k).filter(|c| !c.1).map(|c| c.0);
    let (op, skip) = match (lx.chars[at].0, next(1)) {
        ('>', Some('=')) => (Op::Ge, 2),
        ('<', Some('=')) => (Op::Le, 2),
        ('!', Some('=')) => (Op::Ne, 2),
        ('>', _) => (Op::Gt, 1),
        ('<', _) => (Op::Lt, 1),
        (':' | '=', _) => (Op::Eq, 1),
        _ => return Ok(word()),
    };
    let Some(field) = Field::from_alias(&name) else {
        // Only a plain word before the operator is taken as a (mistyped) field name; ARNs,
        // `s3:GetObject` and the like stay searchable as bare words.
        if name.chars().all(|c| c.is_ascii_alphabetic() || c == '_') && name != "arn" {
            return Err(err(
                pos,
                format!("unknown field '{name}' (fields: {FIELD_HELP})"),
            ));
        }
        return Ok(word());
    };
    let value = lx.value(at + skip);
    let quoted_value = lx.chars[at + skip..].iter().any(|c| c.1) || lx.quoted;
    if value.text().is_empty() && !quoted_value {
        return Err(err(pos + at, format!("'{name}' needs a value")));
    }
    let t = Filter::Term { field, op, value };
    check_term(&t, pos + at + skip)?;
    Ok(t)
}

// ---------------------------------------------------------------------------------------------
// Compiling: values checked and parsed once, before any row is read.

/// The analysis' levels, lowest first, as `level:` and `risk:` name them.
pub const LEVELS: [&str; 5] = ["informational", "low", "medium", "high", "critical"];

fn level_rank(v: &str) -> Option<u8> {
    let v = v.to_ascii_lowercase();
    let v = match v.as_str() {
        "info" => "informational",
        "crit" => "critical",
        "med" => "medium",
        v => v,
    };
    LEVELS.iter().position(|l| *l == v).map(|i| i as u8)
}

/// `1000`, `10k`, `5MB`, `1.5G` (decimal), `64KiB`, `2Mi` (binary).
pub fn parse_size(v: &str) -> Option<i64> {
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
    f.is_finite()
        .then(|| (f * step.pow(power) as f64).round() as i64)
}

/// `true`/`yes`/`1` or `false`/`no`/`0`, as boolean fields read them.
pub fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// A text matcher, case-insensitive.
#[derive(Debug, Clone)]
enum Text {
    /// Has a value (`field:*`).
    Present,
    /// No value or an empty one (`field:""`).
    Missing,
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
    /// A general glob, lowercased, as chars.
    Glob(Vec<char>),
}

impl Text {
    /// `whole`: the value must match from start to end (field terms); bare words search inside.
    fn new(v: &Value, whole: bool) -> Text {
        match v {
            Value::Exact(s) if s.is_empty() && whole => Text::Missing,
            Value::Exact(s) if whole => Text::Exact(s.to_lowercase()),
            Value::Exact(s) => Text::Contains(s.to_lowercase()),
            Value::Glob(g) => {
                let g = g.to_lowercase();
                if g.chars().all(|c| c == '*') && !g.is_empty() {
                    return Text::Present;
                }
                let g = if whole { g } else { format!("*{g}*") };
                let core = g.trim_matches('*');
                let lead = g.starts_with('*');
                let trail = g.ends_with('*') && g.len() > 1;
                if core.contains(['*', '?']) {
                    Text::Glob(g.chars().collect())
                } else {
                    match (lead, trail) {
                        (true, true) => Text::Contains(core.to_owned()),
                        (true, false) => Text::Suffix(core.to_owned()),
                        (false, true) => Text::Prefix(core.to_owned()),
                        (false, false) => Text::Exact(core.to_owned()),
                    }
                }
            }
        }
    }

    fn matches(&self, h: Option<&str>) -> bool {
        let Some(h) = h else {
            return matches!(self, Text::Missing);
        };
        match self {
            Text::Present => true,
            Text::Missing => h.is_empty(),
            Text::Exact(p) => eq_ci(h, p),
            Text::Prefix(p) => {
                h.len() >= p.len() && h.is_char_boundary(p.len()) && eq_ci(&h[..p.len()], p)
            }
            Text::Suffix(p) => {
                h.len() >= p.len()
                    && h.is_char_boundary(h.len() - p.len())
                    && eq_ci(&h[h.len() - p.len()..], p)
            }
            Text::Contains(p) => contains_ci(h, p),
            Text::Glob(p) => glob_ci(p, h),
        }
    }

    /// A principal matches by its whole text or by a tail that starts after ':' or '/', so the
    /// short names the tables show (`user/alice`, `alice`) select it too.
    fn matches_principal(&self, h: Option<&str>) -> bool {
        if self.matches(h) {
            return true;
        }
        let Some(h) = h else { return false };
        match self {
            Text::Exact(p) | Text::Suffix(p) => {
                h.len() > p.len()
                    && h.is_char_boundary(h.len() - p.len())
                    && eq_ci(&h[h.len() - p.len()..], p)
                    && matches!(h.as_bytes()[h.len() - p.len() - 1], b':' | b'/')
            }
            Text::Prefix(_) | Text::Glob(_) => h
                .match_indices([':', '/'])
                .any(|(i, _)| self.matches(Some(&h[i + 1..]))),
            _ => false,
        }
    }
}

/// `h` equals the lowercased `p`, ignoring case.
fn eq_ci(h: &str, p: &str) -> bool {
    if p.is_ascii() {
        h.len() == p.len() && h.as_bytes().eq_ignore_ascii_case(p.as_bytes())
    } else {
        h.to_lowercase() == p
    }
}

/// `h` contains the lowercased `p`, ignoring case.
fn contains_ci(h: &str, p: &str) -> bool {
    if p.is_empty() {
        return true;
    }
    if !p.is_ascii() {
        return h.to_lowercase().contains(p);
    }
    let (hb, pb) = (h.as_bytes(), p.as_bytes());
    if hb.len() < pb.len() {
        return false;
    }
    let first = pb[0];
    let last_start = hb.len() - pb.len();
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), &hb[..=last_start])
        .any(|i| hb[i..i + pb.len()].eq_ignore_ascii_case(pb))
}

fn char_eq_ci(p: char, h: char) -> bool {
    p == h
        || (h.is_ascii() && p == h.to_ascii_lowercase())
        || h.to_lowercase().eq(std::iter::once(p))
}

/// Case-insensitive match with `*` (any run) and `?` (one character), as the query language
/// does (for callers that hold a pattern as text, such as Parquet partition pruning).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    glob_ci(&p, text)
}

/// Wildcard match of a lowercased glob against `h`, ignoring case (greedy with one backtrack
/// point: linear in practice, at worst the product of the lengths).
fn glob_ci(p: &[char], h: &str) -> bool {
    let hs: &str = h;
    let (mut pi, mut hi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while hi < hs.len() {
        let Some(hc) = hs[hi..].chars().next() else {
            break;
        };
        if pi < p.len() && p[pi] == '*' {
            star = Some((pi, hi));
            pi += 1;
        } else if pi < p.len() && (p[pi] == '?' || char_eq_ci(p[pi], hc)) {
            pi += 1;
            hi += hc.len_utf8();
        } else if let Some((sp, sh)) = star {
            let skip = hs[sh..].chars().next().map_or(1, char::len_utf8);
            star = Some((sp, sh + skip));
            pi = sp + 1;
            hi = sh + skip;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// One term, checked and with its value parsed.
#[derive(Debug, Clone)]
enum Leaf {
    Text {
        column: &'static str,
        principal: bool,
        m: Text,
    },
    Word(Text),
    Int {
        column: &'static str,
        op: Op,
        n: i64,
    },
    /// Times (epoch ms) in `[lo, hi)`, or outside it when `negate`.
    TimeRange {
        lo: i64,
        hi: i64,
        negate: bool,
    },
    TimeCmp {
        op: Op,
        t: i64,
    },
    Bool {
        column: &'static str,
        b: bool,
    },
    Present(&'static str),
    Rule(Text),
    Level {
        op: Op,
        rank: u8,
        risk: bool,
    },
}

/// A compiled filter: the tree with parsed leaves. Built from a `Filter` whose depth is bounded.
#[derive(Debug, Clone)]
enum Plan {
    And(Vec<Plan>),
    Or(Vec<Plan>),
    Not(Box<Plan>),
    Leaf(Leaf),
}

/// Checks a term's operator and value against its field (the parser's error positions point here).
fn check_term(t: &Filter, pos: usize) -> Result<()> {
    leaf(t, pos).map(|_| ())
}

fn leaf(t: &Filter, pos: usize) -> Result<Leaf> {
    let (field, op, value) = match t {
        Filter::Term { field, op, value } => (*field, *op, value),
        Filter::Word(v) => return Ok(Leaf::Word(Text::new(v, false))),
        _ => return Err(err(pos, "not a term")),
    };
    let name = field.name();
    let v = value.text();
    if matches!(value, Value::Glob(g) if g.chars().all(|c| c == '*'))
        && matches!(op, Op::Eq | Op::Ne)
        && !field.needs_analysis()
    {
        return Ok(Leaf::Present(field.column()));
    }
    Ok(match field.kind() {
        Kind::Text => {
            if !matches!(op, Op::Eq | Op::Ne) {
                return Err(err(
                    pos,
                    format!("'{name}' is text: use ':' not a comparison"),
                ));
            }
            let m = Text::new(value, true);
            if field == Field::Rule {
                Leaf::Rule(m)
            } else {
                Leaf::Text {
                    column: field.column(),
                    principal: field == Field::User,
                    m,
                }
            }
        }
        Kind::Bool => Leaf::Bool {
            column: field.column(),
            b: parse_bool(v)
                .ok_or_else(|| err(pos, format!("expected true or false, got '{v}'")))?,
        },
        Kind::Int => Leaf::Int {
            column: field.column(),
            op,
            n: parse_size(v).ok_or_else(|| err(pos, format!("expected a number, got '{v}'")))?,
        },
        Kind::Level => Leaf::Level {
            op,
            rank: level_rank(v).ok_or_else(|| {
                err(
                    pos,
                    format!("expected a level ({}), got '{v}'", LEVELS.join(", ")),
                )
            })?,
            risk: field == Field::Risk,
        },
        Kind::Time => {
            let (t, period) = parse_literal(v).ok_or_else(|| {
                err(
                    pos,
                    format!("expected a time like 2020-09-14T00:40, got '{v}'"),
                )
            })?;
            match op {
                // `time:2020-09-14` is the whole day; `time>2020-09-14` is after it.
                Op::Eq => Leaf::TimeRange {
                    lo: t,
                    hi: t + period,
                    negate: false,
                },
                Op::Ne => Leaf::TimeRange {
                    lo: t,
                    hi: t + period,
                    negate: true,
                },
                Op::Gt => Leaf::TimeCmp {
                    op: Op::Ge,
                    t: t + period,
                },
                Op::Le => Leaf::TimeCmp {
                    op: Op::Lt,
                    t: t + period,
                },
                op => Leaf::TimeCmp { op, t },
            }
        }
    })
}

fn negate_for(op: Op, field: Field) -> bool {
    // `!=` on text and booleans negates the match; numbers, times and levels compare.
    op == Op::Ne && matches!(field.kind(), Kind::Text | Kind::Bool)
}

/// Compiles without recursion deeper than the filter (whose depth is checked first).
fn plan(f: &Filter) -> Result<Option<Plan>> {
    if f.depth() > MAX_DEPTH + 1 {
        return Err(err(
            0,
            format!("query nested deeper than {MAX_DEPTH} levels of parentheses or negations"),
        ));
    }
    fn go(f: &Filter) -> Result<Plan> {
        Ok(match f {
            Filter::All => Plan::And(Vec::new()),
            Filter::And(v) => Plan::And(v.iter().map(go).collect::<Result<_>>()?),
            Filter::Or(v) => Plan::Or(v.iter().map(go).collect::<Result<_>>()?),
            Filter::Not(c) => Plan::Not(Box::new(go(c)?)),
            Filter::Term { field, op, .. } => {
                let l = Plan::Leaf(leaf(f, 0)?);
                if negate_for(*op, *field) {
                    Plan::Not(Box::new(l))
                } else {
                    l
                }
            }
            Filter::Word(_) => Plan::Leaf(leaf(f, 0)?),
        })
    }
    Ok(match f {
        Filter::All => None,
        f => Some(go(f)?),
    })
}

// ---------------------------------------------------------------------------------------------
// Annotations from the analysis

/// A rule's hits, as `rule:` and `level:` see them.
#[derive(Debug, Clone, Default)]
pub struct RuleHit {
    pub rule: String,
    /// Index into [`LEVELS`].
    pub level: u8,
    /// Store rows, in any order.
    pub rows: Vec<u32>,
}

/// What the analysis says about each event, for the `rule:`, `level:` and `risk:` fields. The
/// analysis layer fills it (see `investigation::annotations`); the model only reads it.
#[derive(Debug, Clone, Default)]
pub struct Annotations {
    /// Per store row: the event's risk as an index into [`LEVELS`].
    pub risk: Vec<Option<u8>>,
    pub hits: Vec<RuleHit>,
}

impl Annotations {
    /// The rank of a level name (`high` -> 3), for callers filling `risk` and `hits`.
    pub fn rank(level: &str) -> Option<u8> {
        level_rank(level)
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// Rows a query runs over: the whole store or a view.
#[derive(Clone, Copy)]
enum Universe<'a> {
    All(usize),
    Rows(&'a [u32]),
}

impl Universe<'_> {
    fn len(&self) -> usize {
        match self {
            Universe::All(n) => *n,
            Universe::Rows(r) => r.len(),
        }
    }

    fn row(&self, k: usize) -> usize {
        match self {
            Universe::All(_) => k,
            Universe::Rows(r) => r[k] as usize,
        }
    }
}

/// Rows per parallel task.
const CHUNK: usize = 1 << 15;

struct Eval<'a> {
    store: &'a EventStore,
    uni: Universe<'a>,
    ann: Option<&'a Annotations>,
    /// Text columns fetched once per query, however many terms read them.
    cols: RefCell<FxHashMap<&'static str, StringChunked>>,
}

fn cmp_i64(v: i64, op: Op, n: i64) -> bool {
    match op {
        Op::Eq => v == n,
        Op::Ne => v != n,
        Op::Gt => v > n,
        Op::Ge => v >= n,
        Op::Lt => v < n,
        Op::Le => v <= n,
    }
}

impl Eval<'_> {
    /// Fills `out[k]` with `f(row of k)` in parallel chunks.
    fn fill(&self, out: &mut [bool], f: impl Fn(usize) -> bool + Sync) {
        let uni = self.uni;
        if out.len() <= CHUNK {
            for (k, o) in out.iter_mut().enumerate() {
                *o = f(uni.row(k));
            }
            return;
        }
        out.par_chunks_mut(CHUNK)
            .enumerate()
            .for_each(|(c, chunk)| {
                let base = c * CHUNK;
                for (j, o) in chunk.iter_mut().enumerate() {
                    *o = f(uni.row(base + j));
                }
            });
    }

    /// Like `fill`, but only where `out[k]` is still false (an OR across columns).
    fn fill_unset(&self, out: &mut [bool], f: impl Fn(usize) -> bool + Sync) {
        let uni = self.uni;
        if out.len() <= CHUNK {
            for (k, o) in out.iter_mut().enumerate() {
                if !*o {
                    *o = f(uni.row(k));
                }
            }
            return;
        }
        out.par_chunks_mut(CHUNK)
            .enumerate()
            .for_each(|(c, chunk)| {
                let base = c * CHUNK;
                for (j, o) in chunk.iter_mut().enumerate() {
                    if !*o {
                        *o = f(uni.row(base + j));
                    }
                }
            });
    }

    fn str_col(&self, column: &'static str) -> Result<StringChunked> {
        if let Some(c) = self.cols.borrow().get(column) {
            return Ok(c.clone());
        }
        let ca = self
            .store
            .str_col(column)
            .ok_or_else(|| err(0, format!("the store has no text column '{column}'")))?
            .rechunk()
            .into_owned();
        self.cols.borrow_mut().insert(column, ca.clone());
        Ok(ca)
    }

    /// A text column as one contiguous array, read by row.
    fn text_leaf(
        &self,
        out: &mut [bool],
        column: &'static str,
        m: &Text,
        principal: bool,
        unset: bool,
    ) -> Result<()> {
        let ca = self.str_col(column)?;
        let get = |r: usize| ca.get(r);
        let f = |r: usize| {
            if principal {
                m.matches_principal(get(r))
            } else {
                m.matches(get(r))
            }
        };
        if unset {
            self.fill_unset(out, f);
        } else {
            self.fill(out, f);
        }
        Ok(())
    }

    fn leaf(&self, l: &Leaf) -> Result<Vec<bool>> {
        let mut out = vec![false; self.uni.len()];
        match l {
            Leaf::Text {
                column,
                principal,
                m,
            } => self.text_leaf(&mut out, column, m, *principal, false)?,
            Leaf::Word(m) => {
                for c in TEXT_SEARCH_COLUMNS {
                    self.text_leaf(&mut out, c, m, false, true)?;
                }
            }
            Leaf::Present(column) => {
                let valid = self
                    .store
                    .df()
                    .column(column)
                    .map_err(|_| err(0, format!("the store has no column '{column}'")))?
                    .is_not_null()
                    .rechunk()
                    .into_owned();
                self.fill(&mut out, |r| valid.get(r) == Some(true));
            }
            Leaf::Int { column, op, n } => {
                let c = self
                    .store
                    .df()
                    .column(column)
                    .ok()
                    .and_then(|c| c.i64().ok().map(|c| c.rechunk().into_owned()))
                    .ok_or_else(|| err(0, format!("the store has no number column '{column}'")))?;
                self.fill(&mut out, |r| c.get(r).is_some_and(|v| cmp_i64(v, *op, *n)));
            }
            Leaf::Bool { column, b } => {
                let c = self
                    .store
                    .df()
                    .column(column)
                    .ok()
                    .and_then(|c| c.bool().ok().map(|c| c.rechunk().into_owned()))
                    .ok_or_else(|| err(0, format!("the store has no boolean column '{column}'")))?;
                self.fill(&mut out, |r| c.get(r) == Some(*b));
            }
            Leaf::TimeRange { lo, hi, negate } => {
                let times = self.store.times();
                self.fill(&mut out, |r| {
                    times
                        .get(r)
                        .copied()
                        .flatten()
                        .is_some_and(|t| (t >= *lo && t < *hi) != *negate)
                });
            }
            Leaf::TimeCmp { op, t } => {
                let times = self.store.times();
                self.fill(&mut out, |r| {
                    times
                        .get(r)
                        .copied()
                        .flatten()
                        .is_some_and(|v| cmp_i64(v, *op, *t))
                });
            }
            Leaf::Rule(_) | Leaf::Level { risk: false, .. } => {
                let ann = self.annotations()?;
                let mut flagged = vec![false; self.store.len()];
                for h in &ann.hits {
                    let take = match l {
                        Leaf::Rule(m) => m.matches(Some(&h.rule)),
                        Leaf::Level { op, rank, .. } => {
                            cmp_i64(h.level.into(), *op, (*rank).into())
                        }
                        _ => false,
                    };
                    if take {
                        for &r in &h.rows {
                            if let Some(f) = flagged.get_mut(r as usize) {
                                *f = true;
                            }
                        }
                    }
                }
                self.fill(&mut out, |r| flagged.get(r).copied().unwrap_or(false));
            }
            Leaf::Level {
                op,
                rank,
                risk: true,
            } => {
                let ann = self.annotations()?;
                self.fill(&mut out, |r| {
                    ann.risk
                        .get(r)
                        .copied()
                        .flatten()
                        .is_some_and(|v| cmp_i64(v.into(), *op, (*rank).into()))
                });
            }
        }
        Ok(out)
    }

    fn annotations(&self) -> Result<&Annotations> {
        self.ann.ok_or_else(|| {
            err(
                0,
                "rule:, level: and risk: read the analysis, which has not run on this view \
                 (in the TUI wait for it; on the command line use `cttui analyze` or the timeline)",
            )
        })
    }

    /// Evaluates a plan; recursion is bounded by the plan's depth (at most [`MAX_DEPTH`] + 1).
    fn eval(&self, p: &Plan) -> Result<Vec<bool>> {
        Ok(match p {
            Plan::Leaf(l) => self.leaf(l)?,
            Plan::Not(c) => {
                let mut v = self.eval(c)?;
                v.iter_mut().for_each(|b| *b = !*b);
                v
            }
            Plan::And(parts) => {
                let mut acc = vec![true; self.uni.len()];
                for c in parts {
                    if !acc.contains(&true) {
                        break;
                    }
                    let v = self.eval(c)?;
                    acc.iter_mut().zip(&v).for_each(|(a, b)| *a &= *b);
                }
                acc
            }
            Plan::Or(parts) => {
                let mut acc = vec![false; self.uni.len()];
                for c in parts {
                    if !acc.contains(&false) {
                        break;
                    }
                    let v = self.eval(c)?;
                    acc.iter_mut().zip(&v).for_each(|(a, b)| *a |= *b);
                }
                acc
            }
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The query

/// A parsed (or built) query, checked and ready to run.
#[derive(Debug, Clone)]
pub struct Query {
    text: String,
    filter: Filter,
    plan: Option<Plan>,
}

impl Query {
    /// Parses query text; an empty query matches everything.
    pub fn parse(text: &str) -> Result<Query> {
        let toks = lex(text)?;
        let filter = if toks.is_empty() {
            Filter::All
        } else {
            let mut p = Parser {
                toks,
                at: 0,
                end: text.chars().count(),
                depth: 0,
            };
            let f = p.or()?;
            if p.at < p.toks.len() {
                return Err(err(p.pos(), "unexpected ')'"));
            }
            f
        };
        let plan = plan(&filter)?;
        Ok(Query {
            text: text.to_owned(),
            filter,
            plan,
        })
    }

    /// A query from a filter built in code; its text is the filter's `Display`.
    pub fn new(filter: Filter) -> Result<Query> {
        let plan = plan(&filter)?;
        Ok(Query {
            text: filter.to_string(),
            filter,
            plan,
        })
    }

    /// The text as typed (or the built filter's canonical text).
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    pub fn is_empty(&self) -> bool {
        self.plan.is_none()
    }

    /// Whether the query reads the analysis (`rule:`, `level:`, `risk:`).
    pub fn needs_analysis(&self) -> bool {
        self.filter.needs_analysis()
    }

    /// Every check happens when the query is parsed or built; kept for callers that validate.
    pub fn check(&self) -> Result<()> {
        Ok(())
    }

    /// Same as [`Query::check`] (the query no longer compiles to a polars expression).
    pub fn expr(&self) -> Result<()> {
        self.check()
    }

    /// The rows (store order) that match, within `within` when given.
    pub fn rows(&self, store: &EventStore, within: Option<&[u32]>) -> Result<Vec<u32>> {
        self.rows_annotated(store, within, None)
    }

    /// Like [`Query::rows`], with the analysis' annotations for `rule:`, `level:` and `risk:`.
    pub fn rows_annotated(
        &self,
        store: &EventStore,
        within: Option<&[u32]>,
        annotations: Option<&Annotations>,
    ) -> Result<Vec<u32>> {
        let uni = match within {
            Some(r) => Universe::Rows(r),
            None => Universe::All(store.len()),
        };
        let Some(plan) = &self.plan else {
            return Ok(match within {
                Some(r) => r.to_vec(),
                None => (0..store.len() as u32).collect(),
            });
        };
        let eval = Eval {
            store,
            uni,
            ann: annotations,
            cols: RefCell::default(),
        };
        let hits = eval.eval(plan)?;
        Ok(hits
            .iter()
            .enumerate()
            .filter(|(_, h)| **h)
            .map(|(k, _)| uni.row(k) as u32)
            .collect())
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.filter.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_err(q: &str) -> (usize, String) {
        match Query::parse(q) {
            Err(Error::Query { pos, msg }) => (pos, msg),
            other => panic!("expected an error for {q:?}, got {other:?}"),
        }
    }

    fn f(q: &str) -> Filter {
        Query::parse(q).expect("parses").filter
    }

    #[test]
    fn structure() {
        let Filter::And(parts) = f("name:GetObject -error:* (ip:1.2.3.4 OR ua:\"aws cli*\") word")
        else {
            panic!("and")
        };
        assert_eq!(parts.len(), 4);
        assert!(matches!(parts[1], Filter::Not(_)));
        assert!(matches!(&parts[2], Filter::Or(v) if v.len() == 2));
        assert_eq!(parts[3], Filter::word("word"));
        let Filter::Or(or) = &parts[2] else { panic!() };
        assert_eq!(or[1], Filter::like(Field::Ua, "aws cli*"));
        // Nested groups of the same kind flatten.
        assert_eq!(f("(a b) c"), Filter::all(["a", "b", "c"].map(Filter::word)));
    }

    #[test]
    fn arns_and_service_prefixes_are_bare_words() {
        let Filter::And(parts) = f("arn:aws:iam::1:user/x s3:GetObject \"name:x\"") else {
            panic!()
        };
        assert!(
            parts.iter().all(|p| matches!(p, Filter::Word(_))),
            "{parts:?}"
        );
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
        assert!(parse_err("risk:severe").1.contains("expected a level"));
        assert_eq!(parse_err("name:").0, 5);
    }

    #[test]
    fn matchers() {
        let m = |v: &str, whole: bool| Text::new(&Value::glob(v), whole);
        assert!(m("*att.cker?", true).matches(Some("the ATT.CKERs")));
        assert!(!m("*att.cker?", true).matches(Some("attxcker1")));
        assert!(m("Get*", true).matches(Some("getobject")));
        assert!(!m("Get*", true).matches(Some("xGet")));
        assert!(m("GetObject", true).matches(Some("GETOBJECT")));
        assert!(!m("GetObject", true).matches(Some("GetObjects")));
        assert!(m("a*b", true).matches(Some("axxb")));
        assert!(!m("a*b", true).matches(Some("axxbc")));
        assert!(m("ÄÖ", false).matches(Some("xäöx")));
        assert!(m("é?", true).matches(Some("Éa")));
        let u = Text::new(&Value::exact("user/alice.nguyen"), true);
        assert!(u.matches_principal(Some("arn:aws:iam::1:user/alice.nguyen")));
        assert!(u.matches_principal(Some("user/alice.nguyen")));
        assert!(!u.matches_principal(Some("arn:aws:iam::1:user/xalice.nguyen")));
        assert!(!u.matches_principal(Some("arn:aws:iam::1:user/alice.nguyen2")));
        let g = Text::new(&Value::glob("user/alice*"), true);
        assert!(g.matches_principal(Some("arn:aws:iam::1:user/alice.nguyen")));
        assert_eq!(parse_size("10k"), Some(10_000));
        assert_eq!(parse_size("1.5MB"), Some(1_500_000));
        assert_eq!(parse_size("64KiB"), Some(65_536));
        assert_eq!(parse_size("2Mi"), Some(2 << 20));
        assert_eq!(parse_size("42"), Some(42));
    }

    #[test]
    fn display_reads_back_as_the_same_filter() {
        let built = Filter::all([
            Filter::is(Field::User, "arn:aws:sts::1:assumed-role/r/\"x\" y"),
            Filter::is(Field::Bucket, "a*b?"),
            Filter::like(Field::Key, "secret-*"),
            Filter::cmp(Field::BytesOut, Op::Ge, "10k"),
            Filter::any([
                Filter::is(Field::Name, "GetObject"),
                Filter::all([Filter::word("OR"), Filter::word("-x")]),
                Filter::is(Field::Ip, "1.2.3.4").not(),
            ]),
            Filter::all([Filter::word("s3:GetObject"), Filter::word("a\\b")])
                .or(Filter::is(Field::Error, ""))
                .not(),
            Filter::is(Field::Error, "").not().not(),
        ]);
        let text = built.to_string();
        assert_eq!(f(&text), built, "{text}");
        for q in [
            "name:GetObject user:*attacker*",
            "error:* -error:AccessDenied",
            "(ip:203.0.113.7 OR ip:198.51.100.*) ListBuckets",
            "time>=2020-09-14T00:40 bytes_out>1000000 NOT (a OR b)",
            "rule:s3-* level>=high risk!=low",
        ] {
            let once = f(q);
            assert_eq!(f(&once.to_string()), once, "{q} -> {once}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        for (open, close) in [("(", ")"), ("NOT ", ""), ("-", "")] {
            let q = format!("{}x{}", open.repeat(10_000), close.repeat(10_000));
            let (_, msg) = parse_err(&q);
            assert!(msg.contains("nested deeper"), "{msg}");
        }
        let ok = format!("{}x{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(Query::parse(&ok).is_ok());
        // A filter built in code deeper than the limit is refused too.
        let mut deep = Filter::word("x");
        for _ in 0..200 {
            deep = deep.not();
        }
        assert!(matches!(Query::new(deep), Err(Error::Query { .. })));
    }
}
