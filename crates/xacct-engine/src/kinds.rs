//! The registry of resource kinds: [`for_each_kind!`](crate::for_each_kind)
//! lists every kind once, as `Variant: module`, and everything that must know
//! all kinds is generated from that list: [`ResourceKind`] (addresses,
//! `--target`, apply order, diff style), the [`Desired`], [`Observed`] and
//! [`Write`] enums (saved plans), and the dispatch of declaring and planning.
//! `xacct-aws` generates its reads, writes and IAM actions from the same
//! list. A kind left out of any layer therefore fails to compile.
//!
//! Adding a kind: a module in `kinds/` implementing [`Kind`], one line below,
//! and its module in `xacct-aws`.

use serde::{Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest, Sha256};
use xacct_spec::Spec;

use crate::address::{Address, ResourceKind};
use crate::error::PlanError;
use crate::kind::{Declared, DiffStyle, Holder, Kind, PlanOptions, Planned, Subject};
use crate::location::Location;

/// Calls `$callback! { Variant: module, ... }` with every registered kind, in
/// the order addresses sort in.
#[macro_export]
macro_rules! for_each_kind {
    ($callback:path) => {
        $callback! {
            S3OwnershipControls: s3_ownership_controls,
            S3BucketPolicy: s3_bucket_policy,
            SnsTopicPolicy: sns_topic_policy,
            S3BucketNotification: s3_bucket_notification,
            CloudTrailEventSelectors: cloudtrail_event_selectors,
            S3PublicAccessBlock: s3_public_access_block,
            S3Encryption: s3_encryption,
            S3Versioning: s3_versioning,
            S3Logging: s3_logging,
            S3Tags: s3_tags,
            QuiltBucket: quilt_bucket,
        }
    };
}

/// One desired slice, addressed and located.
#[derive(Debug, Clone)]
pub struct DesiredResource {
    pub address: Address,
    pub location: Location,
    /// What AWS calls the object: bucket name, topic ARN, trail name or ARN.
    pub aws_id: String,
    /// Resources whose writes must succeed before this one is written.
    pub depends_on: Vec<Address>,
    pub desired: Desired,
    /// Read only because its account prunes and the spec does not list the
    /// object: it wants none of xacct's slice.
    pub pruned: bool,
}

impl DesiredResource {
    fn new<D>(kind: ResourceKind, declared: Declared<D>, wrap: impl FnOnce(D) -> Desired) -> Self {
        DesiredResource {
            address: Address::new(kind, declared.name),
            location: declared.location,
            aws_id: declared.aws_id,
            depends_on: declared
                .depends_on
                .into_iter()
                .filter_map(|dependency| {
                    let kind = ResourceKind::parse(dependency.kind)?;
                    Some(Address::new(kind, dependency.name))
                })
                .collect(),
            desired: wrap(declared.desired),
            pruned: false,
        }
    }

    fn subject(&self) -> Subject<'_> {
        Subject {
            aws_id: &self.aws_id,
            location: &self.location,
        }
    }
}

macro_rules! registry {
    ($($variant:ident: $module:ident,)*) => {
        $(pub mod $module;)*

        impl ResourceKind {
            pub const ALL: &'static [ResourceKind] = &[$(ResourceKind::$variant,)*];

            /// The address prefix, as users type it in `--target`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ResourceKind::$variant => <$module::$variant as Kind>::NAME,)*
                }
            }

            /// Apply order: lower stages are written first.
            pub fn stage(self) -> u8 {
                match self {
                    $(ResourceKind::$variant => <$module::$variant as Kind>::STAGE,)*
                }
            }

            /// How renderers show a change of this kind's slice.
            pub fn diff_style(self) -> DiffStyle {
                match self {
                    $(ResourceKind::$variant => <$module::$variant as Kind>::DIFF,)*
                }
            }
        }

        /// The managed slice as the spec wants it.
        #[derive(Debug, Clone)]
        pub enum Desired {
            $($variant(<$module::$variant as Kind>::Desired),)*
        }

        /// A whole document as read from AWS. Absent documents are states, not errors.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Observed {
            $($variant(<$module::$variant as Kind>::Observed),)*
        }

        /// One write, fully decided at plan time: execution makes no choices.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Write {
            $($variant(<$module::$variant as Kind>::Write),)*
        }

        impl Observed {
            pub fn kind(&self) -> ResourceKind {
                match self {
                    $(Observed::$variant(_) => ResourceKind::$variant,)*
                }
            }

            /// A digest of the document's meaning, so that apply can tell
            /// whether a document changed since it was planned from.
            pub fn fingerprint(&self) -> String {
                let meaning = match self {
                    $(Observed::$variant(observed) => <$module::$variant as Kind>::meaning(observed),)*
                };
                let digest = Sha256::digest(meaning.as_bytes());
                digest.iter().map(|byte| format!("{byte:02x}")).collect()
            }
        }

        impl Write {
            /// The document as it will read once this write has landed:
            /// apply compares a re-read with it to tell whether a write whose
            /// answer was lost happened after all.
            pub fn expected(&self) -> Observed {
                match self {
                    $(Write::$variant(write) => Observed::$variant(<$module::$variant as Kind>::expected(write)),)*
                }
            }

            /// The AWS operation, as named in IAM and CloudTrail.
            pub fn operation(&self) -> &'static str {
                match self {
                    $(Write::$variant(write) => <$module::$variant as Kind>::operation(write),)*
                }
            }

            /// Reads a write of `kind` from a saved plan.
            pub fn from_value(kind: ResourceKind, value: Value) -> Result<Write, serde_json::Error> {
                match kind {
                    $(ResourceKind::$variant => serde_json::from_value(value).map(Write::$variant),)*
                }
            }
        }

        /// A write travels as its kind's own form, tagged by `operation`.
        impl Serialize for Write {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(Write::$variant(write) => write.serialize(serializer),)*
                }
            }
        }

        /// Every resource the spec declares, kind by kind, each slice built
        /// only as it is taken (a run of any size holds few at once); an
        /// error for each one the spec leaves undecidable.
        pub fn declared(spec: &Spec) -> impl Iterator<Item = Result<DesiredResource, PlanError>> + '_ {
            let each = std::iter::empty();
            $(
                let each = each.chain(<$module::$variant as Kind>::desired(spec).map(|declared| {
                    match declared {
                        Ok(declared) => Ok(DesiredResource::new(
                            ResourceKind::$variant,
                            declared,
                            Desired::$variant,
                        )),
                        Err(undeclarable) => Err(PlanError::Slice {
                            address: Address::new(ResourceKind::$variant, undeclarable.name),
                            source: undeclarable.error,
                        }),
                    }
                }));
            )*
            each
        }

        /// The resources pruning reads on one object the spec does not list,
        /// held by `holder`: one per kind that prunes.
        pub(crate) fn unlisted(holder: Holder, object: &Declared<()>) -> Vec<DesiredResource> {
            let mut resources = Vec::new();
            $(
                if <$module::$variant as Kind>::HOLDER == holder {
                    if let Some(desired) = <$module::$variant as Kind>::unlisted() {
                        let declared = Declared {
                            name: object.name.clone(),
                            location: object.location.clone(),
                            aws_id: object.aws_id.clone(),
                            depends_on: Vec::new(),
                            desired,
                        };
                        let mut resource =
                            DesiredResource::new(ResourceKind::$variant, declared, Desired::$variant);
                        resource.pruned = true;
                        resources.push(resource);
                    }
                }
            )*
            resources
        }

        /// Plans one resource's slice with its kind's rule.
        pub(crate) fn plan_slice(
            options: &PlanOptions,
            resource: &DesiredResource,
            observed: &Observed,
        ) -> Result<Planned<Write>, PlanError> {
            let subject = resource.subject();
            let planned = match (&resource.desired, observed) {
                $((Desired::$variant(desired), Observed::$variant(found)) => {
                    <$module::$variant as Kind>::plan(options, &subject, desired, found)
                        .map(|planned| planned.map_write(Write::$variant))
                })*
                (_, other) => {
                    return Err(PlanError::KindMismatch {
                        address: resource.address.clone(),
                        found: other.kind().to_string(),
                    })
                }
            };
            planned.map_err(|source| PlanError::Slice {
                address: resource.address.clone(),
                source,
            })
        }
    };
}

crate::for_each_kind!(registry);

/// The desired resources of a spec, in address order; errors for what the
/// spec leaves undecidable (e.g. a topic with no region to build its ARN).
pub fn desired(spec: &Spec) -> Result<Vec<DesiredResource>, Vec<PlanError>> {
    let mut resources = Vec::new();
    let mut errors = Vec::new();
    for declared in declared(spec) {
        match declared {
            Ok(resource) => resources.push(resource),
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    resources.sort_by(|a, b| a.address.cmp(&b.address));
    Ok(resources)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module in `kinds/` without its registry line would never be
    /// compiled (the registry declares the modules), so it is caught here.
    #[test]
    fn every_module_in_kinds_is_a_registered_kind() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/kinds");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("src/kinds is readable")
            .filter_map(|entry| {
                let name = entry.ok()?.file_name().into_string().ok()?;
                Some(name.strip_suffix(".rs")?.to_string())
            })
            .collect();
        on_disk.sort();
        let mut registered: Vec<String> = ResourceKind::ALL
            .iter()
            .map(|kind| kind.as_str().to_string())
            .collect();
        registered.sort();
        assert_eq!(on_disk, registered, "src/kinds/*.rs against the registry");
    }

    #[test]
    fn every_registered_kind_has_a_distinct_name_that_parses_back() {
        let mut names: Vec<&str> = ResourceKind::ALL.iter().map(|kind| kind.as_str()).collect();
        for kind in ResourceKind::ALL {
            assert_eq!(ResourceKind::parse(kind.as_str()), Some(*kind));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ResourceKind::ALL.len(), "{names:?}");
    }
}
