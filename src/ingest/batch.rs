//! Column builders: typed records in, one polars DataFrame of the canonical schema out.
use polars::prelude::*;

use super::record::{Record, parse_bool, parse_bytes, principal};
use super::time::parse_time_ms;
use crate::model::net::{self, NetClass};
use crate::model::schema::{self, STRING_COLUMNS, s};

pub struct Batch {
    strings: Vec<StringChunkedBuilder>,
    time: Vec<Option<i64>>,
    read_only: Vec<Option<bool>>,
    management: Vec<Option<bool>>,
    mfa: Vec<Option<bool>>,
    outside: Vec<bool>,
    net: Vec<NetClass>,
    /// Network class per distinct address seen in this batch.
    net_cache: rustc_hash::FxHashMap<String, NetClass>,
    bytes_out: Vec<Option<i64>>,
    bytes_in: Vec<Option<i64>>,
    raw_id: Vec<u32>,
    file_id: u32,
    /// Records whose time was present but unparseable, or missing.
    pub bad_times: usize,
}

impl Batch {
    pub fn new(file_id: u32, capacity: usize) -> Self {
        Batch {
            strings: STRING_COLUMNS
                .iter()
                .map(|n| StringChunkedBuilder::new((*n).into(), capacity))
                .collect(),
            time: Vec::with_capacity(capacity),
            read_only: Vec::with_capacity(capacity),
            management: Vec::with_capacity(capacity),
            mfa: Vec::with_capacity(capacity),
            outside: Vec::with_capacity(capacity),
            net: Vec::with_capacity(capacity),
            net_cache: rustc_hash::FxHashMap::default(),
            bytes_out: Vec::with_capacity(capacity),
            bytes_in: Vec::with_capacity(capacity),
            raw_id: Vec::with_capacity(capacity),
            file_id,
            bad_times: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.raw_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.raw_id.is_empty()
    }

    fn put(&mut self, col: usize, v: Option<&str>) {
        self.strings[col].append_option(v);
    }

    /// Appends one record whose raw text is `raw_id` in the file's raw store.
    pub fn push(&mut self, rec: &Record<'_>, raw_id: u32) {
        let time_text = rec.event_time.non_empty().or(rec.at_timestamp.non_empty());
        let time = time_text.and_then(parse_time_ms);
        if time.is_none() {
            self.bad_times += 1;
        }
        self.time.push(time);
        let id = rec.user_identity.as_ref();
        let ctx = id.and_then(|i| i.session_context.as_ref());
        let issuer = ctx.and_then(|c| c.session_issuer.as_ref());
        let params = rec.request_parameters.as_ref();
        let extra = rec.additional_event_data.as_ref();

        self.put(s::EVENT_NAME, rec.event_name.get());
        self.put(s::EVENT_SOURCE, rec.event_source.get());
        self.put(s::AWS_REGION, rec.aws_region.get());
        self.put(s::SOURCE_IP, rec.source_ip.get());
        let class = match rec.source_ip.get() {
            None => NetClass::None,
            Some(ip) => match self.net_cache.get(ip) {
                Some(&c) => c,
                None => {
                    let c = net::classify(ip);
                    self.net_cache.insert(ip.to_owned(), c);
                    c
                }
            },
        };
        self.outside.push(class == NetClass::Outside);
        self.net.push(class);
        self.put(s::USER_AGENT, rec.user_agent.get());
        self.put(s::PRINCIPAL, principal(rec).as_deref());
        self.put(s::IDENTITY_TYPE, id.and_then(|i| i.kind.get()));
        let user = id
            .and_then(|i| i.user_name.non_empty())
            .or_else(|| issuer.and_then(|s| s.user_name.non_empty()));
        self.put(s::USER_NAME, user);
        self.put(s::ACCOUNT_ID, id.and_then(|i| i.account_id.get()));
        self.put(s::RECIPIENT_ACCOUNT_ID, rec.recipient_account_id.get());
        self.put(
            s::ACCESS_KEY_ID,
            id.and_then(|i| i.access_key_id.non_empty()),
        );
        self.put(
            s::SESSION_ISSUER,
            issuer.and_then(|s| s.arn.non_empty().or(s.user_name.non_empty())),
        );
        self.put(s::ERROR_CODE, rec.error_code.non_empty());
        self.put(s::ERROR_MESSAGE, rec.error_message.non_empty());
        self.put(s::EVENT_CATEGORY, rec.event_category.get());
        self.put(s::EVENT_TYPE, rec.event_type.get());
        self.put(s::REQUEST_ID, rec.request_id.get());
        self.put(s::EVENT_ID, rec.event_id.non_empty());
        self.put(s::BUCKET, params.and_then(|p| p.bucket_name.get()));
        self.put(s::OBJECT_KEY, params.and_then(|p| p.key.get()));
        self.put(s::EVENT_TIME_RAW, time_text);

        self.read_only.push(parse_bool(rec.read_only.get()));
        self.management.push(parse_bool(rec.management_event.get()));
        let mfa = ctx
            .and_then(|c| c.attributes.as_ref())
            .and_then(|a| parse_bool(a.mfa_authenticated.get()))
            .or_else(|| extra.and_then(|e| parse_bool(e.mfa_used.get())));
        self.mfa.push(mfa);
        self.bytes_out
            .push(extra.and_then(|e| parse_bytes(e.bytes_out.get())));
        self.bytes_in
            .push(extra.and_then(|e| parse_bytes(e.bytes_in.get())));
        self.raw_id.push(raw_id);
    }

    /// Shifts raw ids after the file's raw store was appended to the global one.
    pub fn offset_raw_ids(&mut self, by: u32) {
        for id in &mut self.raw_id {
            *id += by;
        }
    }

    pub fn finish(self) -> PolarsResult<DataFrame> {
        let n = self.raw_id.len();
        let mut cols: Vec<Column> = Vec::with_capacity(STRING_COLUMNS.len() + 9);
        cols.push(
            Int64Chunked::from_iter_options(schema::EVENT_TIME.into(), self.time.into_iter())
                .into_datetime(TimeUnit::Milliseconds, None)
                .into_column(),
        );
        cols.extend(self.strings.into_iter().map(|b| b.finish().into_column()));
        for (name, v) in [
            (schema::READ_ONLY, self.read_only),
            (schema::MANAGEMENT_EVENT, self.management),
            (schema::MFA_AUTHENTICATED, self.mfa),
        ] {
            cols.push(BooleanChunked::from_iter_options(name.into(), v.into_iter()).into_column());
        }
        cols.push(
            BooleanChunked::from_slice(schema::OUTSIDE_AWS.into(), &self.outside).into_column(),
        );
        cols.push(
            StringChunked::from_iter_values(
                schema::NET_CLASS.into(),
                self.net.iter().map(|c| c.label()),
            )
            .into_column(),
        );
        for (name, v) in [
            (schema::BYTES_OUT, self.bytes_out),
            (schema::BYTES_IN, self.bytes_in),
        ] {
            cols.push(Int64Chunked::from_iter_options(name.into(), v.into_iter()).into_column());
        }
        cols.push(UInt32Chunked::from_vec(schema::RAW_ID.into(), self.raw_id).into_column());
        cols.push(
            UInt32Chunked::from_vec(schema::FILE_ID.into(), vec![self.file_id; n]).into_column(),
        );
        DataFrame::new(n, cols)
    }
}
