//! `--account` and `--shard I/N`: which of the spec's accounts a run covers.
//! A shard is a complete, independent run over its accounts only, so an
//! organisation can spread hundreds of accounts over a CI matrix or a
//! Kubernetes Indexed Job, each holding only its accounts' credentials.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};
use xacct_spec::Spec;

/// `I/N`: the I-th (from 0, as Kubernetes' `JOB_COMPLETION_INDEX`) of N shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let malformed = || format!("{text:?} is not a shard: write I/N with 0 <= I < N, e.g. 0/4");
        let (index, count) = text.split_once('/').ok_or_else(malformed)?;
        let index: u32 = index.trim().parse().map_err(|_| malformed())?;
        let count: u32 = count.trim().parse().map_err(|_| malformed())?;
        if count == 0 || index >= count {
            return Err(malformed());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Whether `account` (the spec's name for it) falls in this shard. The
    /// name's digest decides, so an account stays in its shard whatever
    /// other accounts are added or removed, and every account is in exactly
    /// one shard of N.
    pub fn holds(&self, account: &str) -> bool {
        let digest = Sha256::digest(account.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&digest[..8]);
        u64::from_be_bytes(first) % u64::from(self.count) == u64::from(self.index)
    }
}

/// The accounts a run covers; empty `accounts` and no shard: all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountScope {
    /// `--account`: the spec's names.
    pub accounts: Vec<String>,
    pub shard: Option<Shard>,
}

#[derive(Debug, thiserror::Error)]
#[error("--account {name:?} is not an account of the spec (accounts: {known})")]
pub struct UnknownAccount {
    pub name: String,
    pub known: String,
}

impl AccountScope {
    pub fn is_everything(&self) -> bool {
        self.accounts.is_empty() && self.shard.is_none()
    }

    /// The spec's accounts in scope, by name, in the spec's order.
    pub fn accounts_of(&self, spec: &Spec) -> Result<Vec<String>, Vec<UnknownAccount>> {
        let unknown: Vec<UnknownAccount> = self
            .accounts
            .iter()
            .filter(|name| !spec.accounts.contains_key(*name))
            .map(|name| UnknownAccount {
                name: name.clone(),
                known: spec.accounts.keys().cloned().collect::<Vec<_>>().join(", "),
            })
            .collect();
        if !unknown.is_empty() {
            return Err(unknown);
        }
        Ok(spec
            .accounts
            .keys()
            .filter(|name| self.accounts.is_empty() || self.accounts.contains(name))
            .filter(|name| self.shard.is_none_or(|shard| shard.holds(name)))
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_from_i_over_n_and_refuse_the_rest() {
        assert_eq!("1/3".parse(), Ok(Shard { index: 1, count: 3 }));
        for bad in ["3/3", "1", "a/3", "0/0", "-1/2", ""] {
            let error = bad.parse::<Shard>().unwrap_err();
            assert!(error.contains("I/N"), "{bad}: {error}");
        }
    }

    #[test]
    fn every_account_is_in_exactly_one_shard_of_n() {
        let names: Vec<String> = (0..300).map(|n| format!("account-{n}")).collect();
        for count in [1, 2, 3, 7, 16] {
            let mut sizes = vec![0; count as usize];
            for name in &names {
                let holding: Vec<u32> = (0..count)
                    .filter(|index| {
                        Shard {
                            index: *index,
                            count,
                        }
                        .holds(name)
                    })
                    .collect();
                assert_eq!(holding.len(), 1, "{name} in {count} shards: {holding:?}");
                sizes[holding[0] as usize] += 1;
            }
            // A digest spreads names evenly enough to plan N by.
            let fair = names.len() / count as usize;
            assert!(
                sizes.iter().all(|size| *size * 2 >= fair),
                "{count} shards: {sizes:?}"
            );
        }
    }
}
