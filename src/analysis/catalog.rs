//! The one catalogue of API names by meaning (`assets/catalog.toml`, embedded): exposure changes,
//! persistence, tampering, recon, secrets, copies out, S3 data and management calls. Rules name a
//! set with `{ in_set = "..." }`; features, the S3 summary, the playbook and the report ask here
//! instead of keeping their own lists.
use std::sync::OnceLock;

use rustc_hash::FxHashSet;
use serde::Deserialize;

use crate::error::{Error, Result};

/// The catalogue text compiled into the binary.
pub const CATALOG_TOML: &str = include_str!("../../assets/catalog.toml");

/// A named set of API names.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumString, strum::Display, strum::EnumIter,
)]
#[strum(serialize_all = "snake_case")]
pub enum ApiSet {
    /// CloudTrail stopped, deleted or narrowed.
    LoggingTampering,
    /// Other security monitoring switched off (flow logs, DNS logs, GuardDuty, Config, ...).
    MonitoringTampering,
    /// Logging or detection switched off outright (the start of a tampering-then-action chain).
    DefencesOff,
    /// S3 calls that change who can reach a bucket's data or where it goes.
    S3Exposure,
    /// Changes to a trail's bucket that expire, remove or redirect its logs.
    TrailBucketChanges,
    /// The subset of [`ApiSet::S3Exposure`] that changes permissions (policy, ACL, public access block).
    S3PermissionChanges,
    /// Data-access persistence (the playbook's eradication list).
    DataPersistence,
    /// New identities, keys, passwords, permissions and code.
    CredentialPersistence,
    /// Identity providers, Roles Anywhere, federation tokens, SSH and serial-console keys.
    IdentityBackdoors,
    /// New IAM users and roles.
    IdentityCreation,
    /// Inline or attached policies given to a user, role or group.
    PermissionGrants,
    /// New access keys and console passwords.
    NewCredentials,
    /// Reading one's own permissions.
    SelfEnumeration,
    /// The playbook's reconnaissance calls.
    Recon,
    /// Wider enumeration calls.
    Discovery,
    /// The discovery that counts before a burst of object reads.
    PreTheftDiscovery,
    /// Calls that return a secret or parameter value.
    Secrets,
    /// Copies to places an actor controls.
    CopiesOut,
    /// Data shared with another account or copied out (triage Q7).
    Shares,
    /// S3 writes that stage data (query 7).
    Staging,
    /// S3 data access read first (Q1, query 1).
    S3ObjectReads,
    /// DynamoDB data access.
    DynamodbReads,
    /// RDS / Redshift Data API statements.
    SqlDataReads,
    /// Running code or commands.
    Execution,
    /// KMS keys destroyed, disabled or re-permissioned.
    KeyDestruction,
    /// S3 object-level (data event) names.
    S3Data,
    /// S3 bucket-level (management event) names.
    S3Management,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    set: Vec<SetDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetDef {
    name: String,
    meaning: String,
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    persistence_or_tampering: bool,
    names: Vec<String>,
}

/// One set as loaded.
#[derive(Debug, Clone)]
pub struct Set {
    pub set: ApiSet,
    pub meaning: String,
    /// Counted in the "sensitive API" feature.
    pub sensitive: bool,
    /// Part of the playbook's persistence and tampering list.
    pub persistence_or_tampering: bool,
    /// In file order.
    pub names: Vec<String>,
    lookup: FxHashSet<String>,
}

/// The loaded catalogue.
#[derive(Debug, Clone)]
pub struct Catalog {
    sets: Vec<Set>,
    sensitive: FxHashSet<String>,
    persistence_and_tampering: Vec<String>,
}

impl Catalog {
    /// Parses a catalogue text: every set known, every known set present, no duplicates.
    pub fn parse(text: &str) -> Result<Catalog> {
        let file: CatalogFile =
            toml::from_str(text).map_err(|e| Error::Invalid(format!("API catalogue: {e}")))?;
        let mut sets: Vec<Set> = Vec::with_capacity(file.set.len());
        for def in file.set {
            let set: ApiSet = def.name.parse().map_err(|_| {
                Error::Invalid(format!("API catalogue: unknown set '{}'", def.name))
            })?;
            if sets.iter().any(|s| s.set == set) {
                return Err(Error::Invalid(format!(
                    "API catalogue: set '{}' defined twice",
                    def.name
                )));
            }
            let lookup: FxHashSet<String> = def.names.iter().cloned().collect();
            if lookup.len() != def.names.len() {
                return Err(Error::Invalid(format!(
                    "API catalogue: set '{}' repeats a name",
                    def.name
                )));
            }
            sets.push(Set {
                set,
                meaning: def.meaning,
                sensitive: def.sensitive,
                persistence_or_tampering: def.persistence_or_tampering,
                names: def.names,
                lookup,
            });
        }
        for set in <ApiSet as strum::IntoEnumIterator>::iter() {
            if !sets.iter().any(|s| s.set == set) {
                return Err(Error::Invalid(format!(
                    "API catalogue: set '{set}' missing"
                )));
            }
        }
        let sensitive = sets
            .iter()
            .filter(|s| s.sensitive)
            .flat_map(|s| s.names.iter().cloned())
            .collect();
        let mut persistence_and_tampering: Vec<String> = Vec::new();
        for s in sets.iter().filter(|s| s.persistence_or_tampering) {
            for n in &s.names {
                if !persistence_and_tampering.contains(n) {
                    persistence_and_tampering.push(n.clone());
                }
            }
        }
        Ok(Catalog {
            sets,
            sensitive,
            persistence_and_tampering,
        })
    }

    pub fn set(&self, set: ApiSet) -> &Set {
        // `parse` guarantees every set is present; the first set is a harmless fallback.
        self.sets
            .iter()
            .find(|s| s.set == set)
            .unwrap_or(&self.sets[0])
    }

    pub fn sets(&self) -> &[Set] {
        &self.sets
    }

    pub fn contains(&self, set: ApiSet, name: &str) -> bool {
        self.set(set).lookup.contains(name)
    }

    pub fn names(&self, set: ApiSet) -> &[String] {
        &self.set(set).names
    }

    /// Names of every set marked `sensitive`.
    pub fn is_sensitive(&self, name: &str) -> bool {
        self.sensitive.contains(name)
    }

    /// The playbook's persistence and tampering list, in catalogue order.
    pub fn persistence_and_tampering(&self) -> &[String] {
        &self.persistence_and_tampering
    }
}

/// The built-in catalogue. Its text is part of the binary and checked by a unit test, so a parse
/// failure is a build defect, not an input error.
pub fn get() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| match Catalog::parse(CATALOG_TOML) {
        Ok(c) => c,
        Err(e) => panic!("built-in API catalogue is invalid: {e}"),
    })
}

/// Whether `name` is in the built-in catalogue's `set`.
pub fn contains(set: ApiSet, name: &str) -> bool {
    get().contains(set, name)
}

/// The names of a built-in set, in file order.
pub fn names(set: ApiSet) -> &'static [String] {
    get().names(set)
}

/// The names of a set given by its catalogue name (`"logging_tampering"`), for rule files.
pub fn names_by_key(key: &str) -> Option<&'static [String]> {
    key.parse::<ApiSet>().ok().map(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalogue_parses_and_answers() {
        let c = Catalog::parse(CATALOG_TOML).expect("catalogue");
        assert!(c.contains(ApiSet::LoggingTampering, "StopLogging"));
        assert!(!c.contains(ApiSet::LoggingTampering, "StartLogging"));
        assert!(c.is_sensitive("GetSecretValue") && !c.is_sensitive("GetObject"));
        assert!(c.contains(ApiSet::S3Data, "GetObject"));
        assert!(c.contains(ApiSet::S3Management, "PutBucketPolicy"));
        for n in c.names(ApiSet::S3Exposure) {
            assert!(
                c.contains(ApiSet::S3Management, n) || c.contains(ApiSet::S3Data, n),
                "{n} is an exposure change but not classified"
            );
        }
        for n in c.names(ApiSet::S3PermissionChanges) {
            assert!(c.contains(ApiSet::S3Exposure, n), "{n}");
        }
        for n in c.names(ApiSet::S3Data) {
            assert!(!c.contains(ApiSet::S3Management, n), "{n} is in both");
        }
        // Narrower sets stay inside the wider ones they refine.
        for (narrow, wide) in [
            (ApiSet::PreTheftDiscovery, &[ApiSet::Discovery][..]),
            (
                ApiSet::DefencesOff,
                &[ApiSet::LoggingTampering, ApiSet::MonitoringTampering][..],
            ),
            (ApiSet::Recon, &[ApiSet::Discovery][..]),
            (ApiSet::S3ObjectReads, &[ApiSet::S3Data][..]),
            (ApiSet::Staging, &[ApiSet::S3Data][..]),
            (ApiSet::TrailBucketChanges, &[ApiSet::S3Management][..]),
        ] {
            for n in c.names(narrow) {
                assert!(
                    wide.iter().any(|w| c.contains(*w, n)),
                    "{n} is in {narrow} but not in {wide:?}"
                );
            }
        }
        let pt = c.persistence_and_tampering();
        assert_eq!(pt.first().map(String::as_str), Some("StopLogging"));
        assert!(pt.iter().any(|n| n == "UpdateAssumeRolePolicy"));
        assert_eq!(names_by_key("secrets").map(|n| n.len()), Some(5));
        assert!(names_by_key("nope").is_none());
    }

    #[test]
    fn bad_catalogues_are_refused() {
        let one =
            |name: &str| format!("[[set]]\nname = \"{name}\"\nmeaning = \"m\"\nnames = [\"A\"]\n");
        assert!(
            Catalog::parse(&one("logging_tampering")).is_err(),
            "sets missing"
        );
        assert!(Catalog::parse(&one("made_up")).is_err(), "unknown set");
        let dup = CATALOG_TOML.replace("name = \"recon\"", "name = \"recon\"\n") + &one("recon");
        assert!(Catalog::parse(&dup).is_err(), "set twice");
    }
}
