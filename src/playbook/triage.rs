//! The playbook's triage questions Q1-Q9, pre-answered from the log with the events that prove them.
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::queries::{Pins, aggregate};
use super::{Standing, fmt_count, object_reads};
use crate::Result;
use crate::analysis::catalog::{self, ApiSet};
use crate::analysis::humanize;
use crate::model::query::{Field, Filter, Query};
use crate::model::schema;
use crate::model::store::EventStore;
use crate::model::time::format_ms;

/// Data-access calls per data store (Q1): (store, event source, the catalogue's set of its calls).
pub const DATA_STORES: &[(&str, &str, ApiSet)] = &[
    ("S3", "s3.amazonaws.com", ApiSet::S3ObjectReads),
    ("DynamoDB", "dynamodb.amazonaws.com", ApiSet::DynamodbReads),
    (
        "Secrets Manager",
        "secretsmanager.amazonaws.com",
        ApiSet::Secrets,
    ),
    ("SSM Parameter Store", "ssm.amazonaws.com", ApiSet::Secrets),
    (
        "RDS Data API",
        "rds-data.amazonaws.com",
        ApiSet::SqlDataReads,
    ),
    (
        "Redshift Data API",
        "redshift-data.amazonaws.com",
        ApiSet::SqlDataReads,
    ),
];

/// `name:A OR name:B ...`
pub fn any_name<S: AsRef<str>>(names: &[S]) -> Filter {
    Filter::any(names.iter().map(|n| Filter::is(Field::Name, n.as_ref())))
}

/// `name:` any call of a catalogue set.
pub fn in_set(set: ApiSet) -> Filter {
    any_name(catalog::names(set))
}

/// S3 calls that change who may read a bucket or object (Q4, exposure; the report's severity).
pub fn access_changes() -> Filter {
    Filter::is(Field::Source, "s3.amazonaws.com").and(in_set(ApiSet::S3PermissionChanges))
}

/// Secret and parameter reads (Q9): the catalogue's secrets, from the two services that hold them.
pub fn secret_reads() -> Filter {
    Filter::any(
        ["secretsmanager.amazonaws.com", "ssm.amazonaws.com"]
            .map(|src| Filter::is(Field::Source, src).and(in_set(ApiSet::Secrets))),
    )
}

/// Denied calls (Q4).
pub fn denials() -> Filter {
    Filter::any([
        Filter::is(Field::Error, "AccessDenied"),
        Filter::like(Field::Error, "*Unauthorized*"),
        Filter::like(Field::Error, "*AccessDenied*"),
    ])
}

/// Words in object keys that suggest personal, health, financial data or credentials (Q9).
pub const SENSITIVE_KEY_WORDS: &[&str] = &[
    "pii",
    "customer",
    "ssn",
    "passport",
    "payroll",
    "salary",
    "card",
    "credit",
    "bank",
    "iban",
    "health",
    "medical",
    "patient",
    "hipaa",
    "gdpr",
    "personal",
    "password",
    "secret",
    "credential",
    "token",
    "id_rsa",
    ".pem",
    ".env",
    "backup",
    "dump",
    "export",
    "invoice",
    "tax",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Yes,
    No,
    Suspected,
    Unknown,
    /// Not in the logs: the analyst must answer.
    Analyst,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Yes => "yes",
            Status::No => "no",
            Status::Suspected => "suspected",
            Status::Unknown => "unknown",
            Status::Analyst => "analyst input",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub id: String,
    pub question: String,
    pub status: Status,
    pub answer: String,
    /// The query that opens the evidence as a view (the text of `evidence_filter`).
    pub evidence_query: Option<String>,
    /// How many events that query selects: always the same as running it.
    pub evidence_count: usize,
    #[serde(skip)]
    pub evidence_filter: Option<Filter>,
    #[serde(skip)]
    pub evidence: Vec<u32>,
}

/// What the questions are asked about.
pub struct Context<'a> {
    pub store: &'a EventStore,
    pub pins: &'a Pins,
    pub standings: &'a [Standing],
}

impl Context<'_> {
    /// The rows a filter selects inside the pinned window.
    pub fn rows(&self, f: &Filter) -> Result<Vec<u32>> {
        Query::new(f.clone().and(self.pins.window_filter()))?.rows(self.store, None)
    }

    pub fn suspect(&self) -> Option<Filter> {
        self.pins.suspect_filter()
    }

    /// The suspect's successful GetObject calls (on the pinned bucket when one is pinned).
    pub fn suspect_reads(&self) -> Option<Filter> {
        let s = self.suspect()?;
        Some(Filter::all([
            s,
            self.pins.bucket_filter().unwrap_or(Filter::All),
            object_reads(),
        ]))
    }

    /// An answer whose evidence is what `evidence` selects in the window, counted by running it.
    fn answer(
        &self,
        id: &str,
        question: &str,
        status: Status,
        text: String,
        evidence: Option<Filter>,
    ) -> Result<Answer> {
        let (query, filter, rows) = match evidence {
            Some(f) => {
                let f = f.and(self.pins.window_filter());
                let q = Query::new(f.clone())?;
                (Some(q.to_string()), Some(f), q.rows(self.store, None)?)
            }
            None => (None, None, Vec::new()),
        };
        Ok(Answer {
            id: id.to_owned(),
            question: question.to_owned(),
            status,
            answer: text,
            evidence_query: query,
            evidence_count: rows.len(),
            evidence_filter: filter,
            evidence: rows,
        })
    }
}

fn distinct(store: &EventStore, col: &str, rows: &[u32]) -> Vec<String> {
    let Some(c) = store.str_col(col) else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(|&r| c.get(r as usize).map(str::to_owned))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Bytes out of `rows`: the known sum and how many rows say their bytes.
pub fn bytes_of(store: &EventStore, rows: &[u32]) -> (i64, usize) {
    rows.iter()
        .filter_map(|&r| store.i64_at(schema::BYTES_OUT, r as usize))
        .fold((0, 0), |(sum, n), b| (sum + b, n + 1))
}

fn q1(ctx: &Context) -> Result<Answer> {
    let mut parts = Vec::new();
    let mut clauses = Vec::new();
    for (name, source, set) in DATA_STORES {
        let f = Filter::is(Field::Source, *source).and(in_set(*set));
        let n = ctx.rows(&f)?.len();
        if n > 0 {
            parts.push(format!("{name} ({} calls)", fmt_count(n)));
            clauses.push(f);
        }
    }
    let (status, text) = if parts.is_empty() {
        (
            Status::No,
            "No data-access calls in this log (S3 object reads, DynamoDB, secrets, parameters)."
                .to_owned(),
        )
    } else {
        (Status::Yes, parts.join(", "))
    };
    let evidence = (!clauses.is_empty()).then(|| Filter::any(clauses));
    ctx.answer(
        "Q1",
        "Which data store was accessed?",
        status,
        text,
        evidence,
    )
}

fn q3(ctx: &Context) -> Result<Answer> {
    let question = "Who accessed it? (known, unknown, cross-account, anonymous)";
    let Some(b) = ctx.pins.bucket_filter() else {
        return ctx.answer(
            "Q3",
            question,
            Status::Unknown,
            "Pin a bucket (B) to answer.".into(),
            None,
        );
    };
    let f = Filter::all([
        b,
        Filter::is(Field::Source, "s3.amazonaws.com"),
        in_set(ApiSet::S3ObjectReads),
    ]);
    let rows = ctx.rows(&f)?;
    let groups = aggregate(ctx.store, &rows, &["principal".to_owned()], 0);
    let acct = ctx.store.str_col("account_id");
    let recip = ctx.store.str_col("recipient_account_id");
    let mut lines = Vec::new();
    for g in groups.iter().take(8) {
        let r = g.rows[0] as usize;
        let a = acct.as_ref().and_then(|c| c.get(r));
        let ra = recip.as_ref().and_then(|c| c.get(r));
        let kind = if g.key[0] == "anonymous" {
            "anonymous"
        } else if a.is_some() && ra.is_some() && a != ra {
            "cross-account"
        } else {
            "same account"
        };
        let who = if g.key[0].is_empty() {
            "(no principal)"
        } else {
            g.key[0].as_str()
        };
        lines.push(format!("{who} ({kind}, {} calls)", fmt_count(g.count)));
    }
    if groups.len() > 8 {
        lines.push(format!("and {} more", groups.len() - 8));
    }
    let status = if rows.is_empty() {
        Status::No
    } else {
        Status::Yes
    };
    let text = if lines.is_empty() {
        "No object-level access to the pinned bucket in this log.".to_owned()
    } else {
        lines.join("; ")
    };
    ctx.answer("Q3", question, status, text, Some(f))
}

fn q4(ctx: &Context) -> Result<Answer> {
    let question = "Was the access authorised?";
    let changes = access_changes();
    let Some(s) = ctx.suspect() else {
        let n_changes = ctx.rows(&changes)?.len();
        let text = format!(
            "{} denied calls in the log; {} bucket policy/ACL/public-access changes. Pin a suspect (P) for a verdict.",
            fmt_count(ctx.rows(&denials())?.len()),
            fmt_count(n_changes)
        );
        return ctx.answer("Q4", question, Status::Unknown, text, Some(changes));
    };
    // Only the suspect's pinned activity: a compute role's own denials, made by its service from
    // inside, are outside the scope and not counted.
    let denied = ctx.rows(&s.clone().and(denials()))?;
    let own_changes = ctx.rows(&s.clone().and(changes.clone()))?;
    let mut text = if denied.is_empty() {
        "No call of the suspect was denied.".to_owned()
    } else {
        format!(
            "The suspect was denied {} call(s) ({}).",
            fmt_count(denied.len()),
            distinct(ctx.store, "event_name", &denied).join(", ")
        )
    };
    if !own_changes.is_empty() {
        text.push_str(&format!(
            " It changed bucket access itself {} time(s): {}.",
            fmt_count(own_changes.len()),
            distinct(ctx.store, "event_name", &own_changes).join(", ")
        ));
    }
    let status = if denied.is_empty() && own_changes.is_empty() {
        Status::Unknown
    } else {
        // Permission probing and self-granted access are the playbook's signs of unauthorised use.
        Status::Suspected
    };
    let evidence = s.and(denials().or(changes));
    ctx.answer("Q4", question, status, text, Some(evidence))
}

fn q5(ctx: &Context) -> Result<Answer> {
    let question = "Confirmed unauthorised, or legitimate but unusual?";
    let (Some(suspect), Some(f)) = (ctx.pins.suspect.as_deref(), ctx.suspect()) else {
        return ctx.answer(
            "Q5",
            question,
            Status::Unknown,
            "Pin a suspect (P) to answer.".into(),
            None,
        );
    };
    let Some(st) = ctx.standings.iter().find(|s| s.principal == suspect) else {
        return ctx.answer(
            "Q5",
            question,
            Status::Unknown,
            "The suspect has no anomaly standing (not ranked).".into(),
            Some(f),
        );
    };
    let status = match st.risk.as_str() {
        "Critical" | "High" => Status::Suspected,
        _ => Status::Unknown,
    };
    let reasons = st
        .reasons
        .iter()
        .take(4)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    let text = format!(
        "Anomaly rank {} of {} (score {:.3}, risk {}): {reasons}",
        st.rank,
        ctx.standings.len(),
        st.score,
        st.risk
    );
    ctx.answer("Q5", question, status, text, Some(f))
}

fn q6(ctx: &Context) -> Result<Answer> {
    let question = "What volume was accessed? (objects, bytes)";
    let Some(f) = ctx.suspect_reads() else {
        let rows = ctx.rows(&object_reads())?;
        let (bytes, known) = bytes_of(ctx.store, &rows);
        let text = format!(
            "{} successful GetObject in the log, {} out. Pin a suspect (P) for its share.",
            fmt_count(rows.len()),
            humanize::bytes_known(bytes, known, rows.len(), "reads")
        );
        return ctx.answer("Q6", question, Status::Unknown, text, Some(object_reads()));
    };
    let rows = ctx.rows(&f)?;
    let (bytes, known) = bytes_of(ctx.store, &rows);
    let keys = distinct(ctx.store, "object_key", &rows).len();
    let text = format!(
        "{} successful GetObject of {} distinct objects, {} out.",
        fmt_count(rows.len()),
        fmt_count(keys),
        humanize::bytes_known(bytes, known, rows.len(), "reads")
    );
    let status = if rows.is_empty() {
        Status::No
    } else {
        Status::Yes
    };
    ctx.answer("Q6", question, status, text, Some(f))
}

fn q7(ctx: &Context) -> Result<Answer> {
    let question = "Did data leave AWS?";
    let (Some(s), Some(reads)) = (ctx.suspect(), ctx.suspect_reads()) else {
        return ctx.answer(
            "Q7",
            question,
            Status::Unknown,
            "Pin a suspect (P) to answer.".into(),
            None,
        );
    };
    let outside_reads = reads.and(Filter::is(Field::Outside, "true"));
    let shares = Filter::all([
        s,
        in_set(ApiSet::Shares),
        Filter::present(Field::Error).not(),
    ]);
    let outside = ctx.rows(&outside_reads)?;
    let shared = ctx.rows(&shares)?;
    let outside_ips = distinct(ctx.store, "source_ip", &outside);
    let mut text = String::new();
    if !outside.is_empty() {
        let mut ips = outside_ips
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if outside_ips.len() > 5 {
            ips.push_str(&format!(" and {} more", outside_ips.len() - 5));
        }
        text.push_str(&format!(
            "{} object reads from outside AWS ({ips}).",
            fmt_count(outside.len()),
        ));
    } else {
        text.push_str("No object reads from outside AWS.");
    }
    if !shared.is_empty() {
        text.push_str(&format!(
            " {} copy/share call(s): {}.",
            fmt_count(shared.len()),
            distinct(ctx.store, "event_name", &shared).join(", ")
        ));
    }
    let status = if outside.is_empty() && shared.is_empty() {
        Status::No
    } else {
        Status::Suspected
    };
    ctx.answer("Q7", question, status, text, Some(outside_reads.or(shares)))
}

fn q8(ctx: &Context) -> Result<Answer> {
    let question = "Is it ongoing or historical?";
    let Some(s) = ctx.suspect() else {
        return ctx.answer(
            "Q8",
            question,
            Status::Unknown,
            "Pin a suspect (P) to answer.".into(),
            None,
        );
    };
    let rows = ctx.rows(&s)?;
    let last_t = rows
        .iter()
        .rev()
        .find_map(|&r| ctx.store.time_at(r as usize));
    let (Some(last_t), Some((_, end))) = (last_t, ctx.store.time_span()) else {
        return ctx.answer(
            "Q8",
            question,
            Status::Unknown,
            "The suspect has no timed events.".into(),
            Some(s),
        );
    };
    let gap_min = (end - last_t) / 60_000;
    // Within 15 minutes of the end of the log there is no evidence that it stopped.
    let (status, text) = if gap_min <= 15 {
        (
            Status::Yes,
            format!(
                "Possibly ongoing: the suspect's last event ({}) is within {gap_min} min of the end of the log ({}).",
                format_ms(last_t),
                format_ms(end)
            ),
        )
    } else {
        (
            Status::No,
            format!(
                "Historical in this log: last suspect event {}, {} before the log ends ({}). Check whether the access path is still open.",
                format_ms(last_t),
                super::fmt_duration(end - last_t),
                format_ms(end)
            ),
        )
    };
    ctx.answer("Q8", question, status, text, Some(s))
}

/// Object keys that look sensitive: `key:*word*` for each word.
pub fn sensitive_keys() -> Filter {
    Filter::any(
        SENSITIVE_KEY_WORDS
            .iter()
            .map(|w| Filter::like(Field::Key, format!("*{w}*"))),
    )
}

fn q9(ctx: &Context) -> Result<Answer> {
    let question = "Were personal, health, financial data or credentials involved?";
    // Every object the suspect read, in any bucket: a sensitive key in another bucket counts.
    let who = ctx.suspect().unwrap_or(Filter::All);
    let sensitive_f = Filter::all([who.clone(), object_reads(), sensitive_keys()]);
    let secrets_f = Filter::all([who, secret_reads(), Filter::present(Field::Error).not()]);
    let sensitive = ctx.rows(&sensitive_f)?;
    let secrets = ctx.rows(&secrets_f)?;
    let examples: Vec<String> = distinct(ctx.store, "object_key", &sensitive)
        .into_iter()
        .take(3)
        .collect();
    let mut text = format!(
        "{} object read(s) with sensitive-looking keys",
        fmt_count(sensitive.len())
    );
    if !examples.is_empty() {
        text.push_str(&format!(" (e.g. {})", examples.join(", ")));
    }
    text.push_str(&format!(
        "; {} secret/parameter read(s). Confirm the data classification (Q2).",
        fmt_count(secrets.len())
    ));
    let status = if sensitive.is_empty() && secrets.is_empty() {
        Status::Unknown
    } else {
        Status::Suspected
    };
    ctx.answer(
        "Q9",
        question,
        status,
        text,
        Some(sensitive_f.or(secrets_f)),
    )
}

/// All nine answers, in order.
pub fn answer_all(ctx: &Context) -> Result<Vec<Answer>> {
    Ok(vec![
        q1(ctx)?,
        ctx.answer(
            "Q2",
            "What is the data classification?",
            Status::Analyst,
            "Not in the logs: record the classification of the data store (public, internal, confidential, regulated).".into(),
            None,
        )?,
        q3(ctx)?,
        q4(ctx)?,
        q5(ctx)?,
        q6(ctx)?,
        q7(ctx)?,
        q8(ctx)?,
        q9(ctx)?,
    ])
}
