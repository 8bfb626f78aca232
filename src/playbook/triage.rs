//! The playbook's triage questions Q1-Q9, pre-answered from the log with the events that prove them.
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::queries::{Pins, aggregate, in_window};
use super::{Standing, fmt_bytes, fmt_count, quoted};
use crate::Result;
use crate::ingest::time::format_ms;
use crate::model::net::is_internal_source;
use crate::model::query::Query;
use crate::model::store::EventStore;

/// Data-access calls per data store (Q1).
pub const DATA_STORES: &[(&str, &str, &str)] = &[
    (
        "S3",
        "s3.amazonaws.com",
        "name:GetObject OR name:HeadObject OR name:SelectObjectContent OR name:CopyObject OR name:ListObjects OR name:ListObjectsV2",
    ),
    (
        "DynamoDB",
        "dynamodb.amazonaws.com",
        "name:Scan OR name:Query OR name:GetItem OR name:BatchGetItem",
    ),
    (
        "Secrets Manager",
        "secretsmanager.amazonaws.com",
        "name:GetSecretValue",
    ),
    (
        "SSM Parameter Store",
        "ssm.amazonaws.com",
        "name:GetParameter OR name:GetParameters OR name:GetParametersByPath",
    ),
    (
        "RDS Data API",
        "rds-data.amazonaws.com",
        "name:ExecuteStatement OR name:BatchExecuteStatement",
    ),
    (
        "Redshift Data API",
        "redshift-data.amazonaws.com",
        "name:ExecuteStatement OR name:GetStatementResult",
    ),
];

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
    /// A query that opens the evidence as a view.
    pub evidence_query: Option<String>,
    pub evidence_count: usize,
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
    fn rows(&self, q: &str) -> Result<Vec<u32>> {
        let rows = Query::parse(q)?.rows(self.store, None)?;
        Ok(in_window(self.store, rows, self.pins.window))
    }

    fn suspect_q(&self) -> Option<String> {
        self.pins.suspect_query()
    }

    fn bucket_q(&self) -> Option<String> {
        self.pins
            .bucket
            .as_deref()
            .map(|b| format!("bucket:{}", quoted(b)))
    }

    /// The suspect's GetObject calls (on the pinned bucket when one is pinned).
    pub fn suspect_reads_query(&self) -> Option<String> {
        let s = self.suspect_q()?;
        Some(match self.bucket_q() {
            Some(b) => format!("{s} {b} source:s3.amazonaws.com name:GetObject -error:*"),
            None => format!("{s} source:s3.amazonaws.com name:GetObject -error:*"),
        })
    }
}

fn answer(
    id: &str,
    question: &str,
    status: Status,
    text: String,
    query: Option<String>,
    evidence: Vec<u32>,
) -> Answer {
    Answer {
        id: id.to_owned(),
        question: question.to_owned(),
        status,
        answer: text,
        evidence_query: query,
        evidence_count: evidence.len(),
        evidence,
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

fn q1(ctx: &Context) -> Result<Answer> {
    let mut parts = Vec::new();
    let mut all = Vec::new();
    let mut clauses = Vec::new();
    for (name, source, names) in DATA_STORES {
        let q = format!("source:{source} ({names})");
        let rows = ctx.rows(&q)?;
        if !rows.is_empty() {
            parts.push(format!("{name} ({} calls)", fmt_count(rows.len())));
            all.extend(rows);
            clauses.push(format!("(source:{source} ({names}))"));
        }
    }
    all.sort_unstable();
    let (status, text) = if parts.is_empty() {
        (
            Status::No,
            "No data-access calls in this log (S3 object reads, DynamoDB, secrets, parameters)."
                .to_owned(),
        )
    } else {
        (Status::Yes, parts.join(", "))
    };
    let query = (!clauses.is_empty()).then(|| clauses.join(" OR "));
    Ok(answer(
        "Q1",
        "Which data store was accessed?",
        status,
        text,
        query,
        all,
    ))
}

fn q3(ctx: &Context) -> Result<Answer> {
    let question = "Who accessed it? (known, unknown, cross-account, anonymous)";
    let Some(b) = ctx.bucket_q() else {
        return Ok(answer(
            "Q3",
            question,
            Status::Unknown,
            "Pin a bucket (B) to answer.".into(),
            None,
            Vec::new(),
        ));
    };
    let q = format!(
        "{b} source:s3.amazonaws.com (name:GetObject OR name:HeadObject OR name:ListObjects OR name:CopyObject)"
    );
    let rows = ctx.rows(&q)?;
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
        lines.push(format!(
            "{} ({kind}, {} calls)",
            g.key[0],
            fmt_count(g.count)
        ));
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
    Ok(answer("Q3", question, status, text, Some(q), rows))
}

fn q4(ctx: &Context) -> Result<Answer> {
    let question = "Was the access authorised?";
    let changes_q = "source:s3.amazonaws.com (name:PutBucketPolicy OR name:DeleteBucketPolicy OR name:PutBucketAcl OR name:PutObjectAcl OR name:PutBucketPublicAccessBlock OR name:DeleteBucketPublicAccessBlock OR name:PutPublicAccessBlock OR name:DeletePublicAccessBlock)";
    let changes = ctx.rows(changes_q)?;
    let Some(s) = ctx.suspect_q() else {
        let text = format!(
            "{} AccessDenied calls in the log; {} bucket policy/ACL/public-access changes. Pin a suspect (p) for a verdict.",
            fmt_count(
                ctx.rows("error:AccessDenied OR error:*UnauthorizedOperation")?
                    .len()
            ),
            changes.len()
        );
        return Ok(answer(
            "Q4",
            question,
            Status::Unknown,
            text,
            Some(changes_q.to_owned()),
            changes,
        ));
    };
    let denied_q =
        format!("{s} (error:AccessDenied OR error:*Unauthorized* OR error:*AccessDenied*)");
    let denied = ctx.rows(&denied_q)?;
    let own_changes = ctx.rows(&format!("{s} ({changes_q})"))?;
    let mut text = format!(
        "The suspect was denied {} call(s) ({}).",
        fmt_count(denied.len()),
        distinct(ctx.store, "event_name", &denied).join(", ")
    );
    if !own_changes.is_empty() {
        text.push_str(&format!(
            " It changed bucket access itself {} time(s): {}.",
            own_changes.len(),
            distinct(ctx.store, "event_name", &own_changes).join(", ")
        ));
    }
    let status = if denied.is_empty() && own_changes.is_empty() {
        Status::Unknown
    } else {
        // Permission probing and self-granted access are the playbook's signs of unauthorised use.
        Status::Suspected
    };
    let mut evidence = denied;
    evidence.extend(own_changes);
    evidence.sort_unstable();
    Ok(answer(
        "Q4",
        question,
        status,
        text,
        Some(format!("{s} (error:* OR ({changes_q}))")),
        evidence,
    ))
}

fn q5(ctx: &Context) -> Result<Answer> {
    let question = "Confirmed unauthorised, or legitimate but unusual?";
    let Some(suspect) = ctx.pins.suspect.as_deref() else {
        return Ok(answer(
            "Q5",
            question,
            Status::Unknown,
            "Pin a suspect (p) to answer.".into(),
            None,
            Vec::new(),
        ));
    };
    let q = ctx.suspect_q();
    let Some(st) = ctx.standings.iter().find(|s| s.principal == suspect) else {
        return Ok(answer(
            "Q5",
            question,
            Status::Unknown,
            "The suspect has no anomaly standing (not ranked).".into(),
            q,
            Vec::new(),
        ));
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
    Ok(answer("Q5", question, status, text, q, Vec::new()))
}

fn q6(ctx: &Context) -> Result<Answer> {
    let question = "What volume was accessed? (objects, bytes)";
    let Some(q) = ctx.suspect_reads_query() else {
        let rows = ctx.rows("source:s3.amazonaws.com name:GetObject -error:*")?;
        let bytes: i64 = rows
            .iter()
            .filter_map(|&r| ctx.store.i64_at("bytes_out", r as usize))
            .sum();
        let text = format!(
            "{} successful GetObject in the log, {} out. Pin a suspect (p) for its share.",
            fmt_count(rows.len()),
            fmt_bytes(bytes)
        );
        return Ok(answer(
            "Q6",
            question,
            Status::Unknown,
            text,
            Some("source:s3.amazonaws.com name:GetObject -error:*".into()),
            rows,
        ));
    };
    let rows = ctx.rows(&q)?;
    let bytes: i64 = rows
        .iter()
        .filter_map(|&r| ctx.store.i64_at("bytes_out", r as usize))
        .sum();
    let keys = distinct(ctx.store, "object_key", &rows).len();
    let text = format!(
        "{} successful GetObject of {} distinct objects, {} out.",
        fmt_count(rows.len()),
        fmt_count(keys),
        fmt_bytes(bytes)
    );
    let status = if rows.is_empty() {
        Status::No
    } else {
        Status::Yes
    };
    Ok(answer("Q6", question, status, text, Some(q), rows))
}

fn q7(ctx: &Context) -> Result<Answer> {
    let question = "Did data leave AWS?";
    let shares_q = "(name:ModifySnapshotAttribute OR name:ModifyImageAttribute OR name:ModifyDBSnapshotAttribute OR name:CopyObject) -error:*";
    let Some(reads_q) = ctx.suspect_reads_query() else {
        return Ok(answer(
            "Q7",
            question,
            Status::Unknown,
            "Pin a suspect (p) to answer.".into(),
            None,
            Vec::new(),
        ));
    };
    let reads = ctx.rows(&reads_q)?;
    let ips = ctx.store.str_col("source_ip");
    let outside: Vec<u32> = reads
        .iter()
        .copied()
        .filter(|&r| {
            ips.as_ref()
                .and_then(|c| c.get(r as usize))
                .is_some_and(|ip| !is_internal_source(ip))
        })
        .collect();
    let outside_ips = distinct(ctx.store, "source_ip", &outside);
    let s = ctx.suspect_q().unwrap_or_default();
    let shares = ctx.rows(&format!("{s} {shares_q}"))?;
    let mut text = String::new();
    if !outside.is_empty() {
        text.push_str(&format!(
            "{} object reads from outside AWS ({}; public addresses, not checked against AWS ranges).",
            fmt_count(outside.len()),
            outside_ips.join(", ")
        ));
    } else {
        text.push_str("No object reads from outside AWS.");
    }
    if !shares.is_empty() {
        text.push_str(&format!(
            " {} copy/share call(s): {}.",
            shares.len(),
            distinct(ctx.store, "event_name", &shares).join(", ")
        ));
    }
    let status = if outside.is_empty() && shares.is_empty() {
        Status::No
    } else {
        Status::Suspected
    };
    let mut evidence = outside;
    evidence.extend(shares);
    evidence.sort_unstable();
    let query = if outside_ips.is_empty() {
        format!("{s} {shares_q}")
    } else {
        let ip_terms: Vec<String> = outside_ips
            .iter()
            .map(|ip| format!("ip:{}", quoted(ip)))
            .collect();
        format!(
            "({reads_q} ({})) OR ({s} {shares_q})",
            ip_terms.join(" OR ")
        )
    };
    Ok(answer("Q7", question, status, text, Some(query), evidence))
}

fn q8(ctx: &Context) -> Result<Answer> {
    let question = "Is it ongoing or historical?";
    let Some(s) = ctx.suspect_q() else {
        return Ok(answer(
            "Q8",
            question,
            Status::Unknown,
            "Pin a suspect (p) to answer.".into(),
            None,
            Vec::new(),
        ));
    };
    let rows = ctx.rows(&s)?;
    let (Some(&last), Some((_, end))) = (rows.last(), ctx.store.time_span()) else {
        return Ok(answer(
            "Q8",
            question,
            Status::Unknown,
            "The suspect has no timed events.".into(),
            Some(s),
            rows,
        ));
    };
    let last_t = ctx.store.time_at(last as usize).unwrap_or(end);
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
    Ok(answer("Q8", question, status, text, Some(s), vec![last]))
}

fn q9(ctx: &Context) -> Result<Answer> {
    let question = "Were personal, health, financial data or credentials involved?";
    let secrets_q = "(source:secretsmanager.amazonaws.com name:GetSecretValue) OR (source:ssm.amazonaws.com (name:GetParameter OR name:GetParameters OR name:GetParametersByPath))";
    let (reads_q, secrets_q) = match ctx.suspect_q() {
        Some(s) => (
            ctx.suspect_reads_query().unwrap_or_default(),
            format!("{s} -error:* ({secrets_q})"),
        ),
        None => (
            "source:s3.amazonaws.com name:GetObject -error:*".to_owned(),
            format!("-error:* ({secrets_q})"),
        ),
    };
    let reads = ctx.rows(&reads_q)?;
    let keys = ctx.store.str_col("object_key");
    let sensitive: Vec<u32> = reads
        .iter()
        .copied()
        .filter(|&r| {
            keys.as_ref()
                .and_then(|c| c.get(r as usize))
                .is_some_and(|k| {
                    let k = k.to_ascii_lowercase();
                    SENSITIVE_KEY_WORDS.iter().any(|w| k.contains(w))
                })
        })
        .collect();
    let secrets = ctx.rows(&secrets_q)?;
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
        secrets.len()
    ));
    let status = if sensitive.is_empty() && secrets.is_empty() {
        Status::Unknown
    } else {
        Status::Suspected
    };
    let mut evidence = sensitive;
    evidence.extend(secrets);
    evidence.sort_unstable();
    Ok(answer(
        "Q9",
        question,
        status,
        text,
        Some(format!("({reads_q}) OR ({secrets_q})")),
        evidence,
    ))
}

/// All nine answers, in order.
pub fn answer_all(ctx: &Context) -> Result<Vec<Answer>> {
    Ok(vec![
        q1(ctx)?,
        answer(
            "Q2",
            "What is the data classification?",
            Status::Analyst,
            "Not in the logs: record the classification of the data store (public, internal, confidential, regulated).".into(),
            None,
            Vec::new(),
        ),
        q3(ctx)?,
        q4(ctx)?,
        q5(ctx)?,
        q6(ctx)?,
        q7(ctx)?,
        q8(ctx)?,
        q9(ctx)?,
    ])
}
