//! Column batches: typed records in, compact per-work-unit columns out; `super::table` turns all
//! batches into one DataFrame.
//!
//! Repetitive strings (names, sources, regions, principals, user agents, addresses...) are kept as
//! codes into a small per-batch dictionary, so a batch costs a few bytes per cell and the final
//! columns store each distinct string once. Strings that are nearly always distinct (eventID,
//! requestID, the time text) go into a plain byte arena.
use rustc_hash::FxHashMap;

use super::record::{Record, parse_bool, parse_bytes, principal};
use super::time::parse_time_ms;
use crate::model::net::{self, NetClass};
use crate::model::schema::{STRING_COLUMNS, s};

/// The code of an absent value in a dictionary column.
pub const NULL_CODE: u32 = u32::MAX;
/// The length of an absent value in a plain column.
pub const NULL_LEN: u32 = u32::MAX;

/// String columns whose values are nearly all distinct: not worth a dictionary.
pub const PLAIN_COLUMNS: [usize; 3] = [s::EVENT_ID, s::REQUEST_ID, s::EVENT_TIME_RAW];

pub fn is_plain(col: usize) -> bool {
    PLAIN_COLUMNS.contains(&col)
}

/// A dictionary-coded string column of one batch.
#[derive(Default)]
pub struct DictCol {
    pub codes: Vec<u32>,
    map: FxHashMap<Box<str>, u32>,
}

impl DictCol {
    fn push(&mut self, v: Option<&str>) {
        let code = match v {
            None => NULL_CODE,
            Some(v) => match self.map.get(v) {
                Some(&c) => c,
                None => {
                    let c = self.map.len() as u32;
                    self.map.insert(v.into(), c);
                    c
                }
            },
        };
        self.codes.push(code);
    }

    /// The distinct values, indexed by code.
    pub fn values(&self) -> Vec<&str> {
        let mut out = vec![""; self.map.len()];
        for (v, &c) in &self.map {
            out[c as usize] = v;
        }
        out
    }
}

/// A plain string column of one batch: values back to back, one (offset, length) per row.
#[derive(Default)]
pub struct PlainCol {
    pub bytes: Vec<u8>,
    pub spans: Vec<(u32, u32)>,
}

impl PlainCol {
    fn push(&mut self, v: Option<&str>) {
        match v {
            // A value too long to address (never in a real record) is kept as absent.
            Some(v) if self.bytes.len() + v.len() < u32::MAX as usize => {
                self.spans.push((self.bytes.len() as u32, v.len() as u32));
                self.bytes.extend_from_slice(v.as_bytes());
            }
            _ => self.spans.push((0, NULL_LEN)),
        }
    }

    pub fn get(&self, row: usize) -> Option<&[u8]> {
        let (off, len) = *self.spans.get(row)?;
        if len == NULL_LEN {
            return None;
        }
        self.bytes.get(off as usize..off as usize + len as usize)
    }
}

/// One string column of a batch.
pub enum StrCol {
    Dict(DictCol),
    Plain(PlainCol),
}

impl StrCol {
    fn push(&mut self, v: Option<&str>) {
        match self {
            StrCol::Dict(d) => d.push(v),
            StrCol::Plain(p) => p.push(v),
        }
    }
}

/// A tri-state flag: absent, false, true.
pub type Flag = Option<bool>;

pub struct Batch {
    pub strings: Vec<StrCol>,
    /// Event time (epoch ms) per row.
    pub time: Vec<Option<i64>>,
    pub read_only: Vec<Flag>,
    pub management: Vec<Flag>,
    pub mfa: Vec<Flag>,
    pub outside: Vec<bool>,
    /// Network class of each row's source address.
    pub net: Vec<NetClass>,
    /// Network class per distinct address seen in this batch.
    net_cache: FxHashMap<String, NetClass>,
    pub bytes_out: Vec<Option<i64>>,
    pub bytes_in: Vec<Option<i64>>,
    pub raw_id: Vec<u32>,
    pub file_id: u32,
    /// Records whose time was present but unparseable, or missing.
    pub bad_times: usize,
}

impl Batch {
    pub fn new(file_id: u32, capacity: usize) -> Self {
        // Capacity is a hint from the element count; small inputs stay small.
        let capacity = capacity.min(1 << 16);
        Batch {
            strings: (0..STRING_COLUMNS.len())
                .map(|c| {
                    if is_plain(c) {
                        StrCol::Plain(PlainCol {
                            bytes: Vec::with_capacity(capacity * 24),
                            spans: Vec::with_capacity(capacity),
                        })
                    } else {
                        StrCol::Dict(DictCol {
                            codes: Vec::with_capacity(capacity),
                            map: FxHashMap::default(),
                        })
                    }
                })
                .collect(),
            time: Vec::with_capacity(capacity),
            read_only: Vec::with_capacity(capacity),
            management: Vec::with_capacity(capacity),
            mfa: Vec::with_capacity(capacity),
            outside: Vec::with_capacity(capacity),
            net: Vec::with_capacity(capacity),
            net_cache: FxHashMap::default(),
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
        self.strings[col].push(v);
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
}
