//! `--metrics-file`: the run in Prometheus' text exposition format, for
//! node_exporter's textfile collector or a push gateway. Gauges only: each
//! run replaces the file whole.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::plan::Plan;

/// The managed and drifted resources of a plan, by account and kind: all
/// the metrics need of it, so a run keeps this rather than the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// (account, kind) -> (managed, drifted)
    counts: BTreeMap<(String, &'static str), (u64, u64)>,
}

impl Tally {
    pub fn of(plan: &Plan) -> Tally {
        let mut counts: BTreeMap<(String, &'static str), (u64, u64)> = BTreeMap::new();
        let mut count = |change: &crate::ResourceChange, drifted: bool| {
            let entry = counts
                .entry((
                    change.location.account.clone(),
                    change.address.kind.as_str(),
                ))
                .or_default();
            entry.0 += 1;
            entry.1 += u64::from(drifted);
        };
        // Ignored changes are managed resources, and not counted as drifted.
        for ignored in &plan.ignored {
            count(&ignored.change, false);
        }
        for change in &plan.changes {
            count(change, change.write.is_some());
        }
        Tally { counts }
    }
}

/// What one run of `plan` or `drift` measured.
#[derive(Debug, Clone, Copy)]
pub struct RunFacts<'a> {
    /// `None`: the run failed before a plan was made.
    pub tally: Option<&'a Tally>,
    /// When the run ended, in seconds since the Unix epoch.
    pub finished_at: f64,
    pub duration_seconds: f64,
    pub success: bool,
}

/// The metrics document (ends with a newline).
pub fn metrics_text(facts: &RunFacts<'_>) -> String {
    let empty = BTreeMap::new();
    let counts = facts.tally.map_or(&empty, |tally| &tally.counts);
    let mut out = String::new();
    let mut family = |name: &str, help: &str, samples: Vec<(String, String)>| {
        let _ = writeln!(out, "# HELP {name} {help}");
        let _ = writeln!(out, "# TYPE {name} gauge");
        for (labels, value) in samples {
            let _ = writeln!(out, "{name}{labels} {value}");
        }
    };
    let per_kind = |pick: fn(&(u64, u64)) -> u64| -> Vec<(String, String)> {
        counts
            .iter()
            .map(|((account, kind), values)| {
                (
                    format!(
                        "{{account=\"{}\",kind=\"{}\"}}",
                        label(account),
                        label(kind)
                    ),
                    pick(values).to_string(),
                )
            })
            .collect()
    };
    family(
        "xacct_managed_resources",
        "Resources xacct manages, by account and kind.",
        per_kind(|values| values.0),
    );
    family(
        "xacct_drifted_resources",
        "Managed resources that differ from the spec, by account and kind.",
        per_kind(|values| values.1),
    );
    family(
        "xacct_last_run_timestamp_seconds",
        "When the run ended, in seconds since the Unix epoch.",
        vec![(String::new(), seconds(facts.finished_at))],
    );
    family(
        "xacct_run_duration_seconds",
        "How long the run took.",
        vec![(String::new(), seconds(facts.duration_seconds))],
    );
    family(
        "xacct_run_success",
        "1 when the run read and planned everything, 0 when it failed.",
        vec![(String::new(), u8::from(facts.success).to_string())],
    );
    out
}

fn seconds(value: f64) -> String {
    format!("{value:.3}")
}

/// A label value as the text format escapes it.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::text::tests::sample_plan;

    #[test]
    fn managed_and_drifted_resources_are_counted_per_account_and_kind() {
        let tally = Tally::of(&sample_plan());
        let text = metrics_text(&RunFacts {
            tally: Some(&tally),
            finished_at: 1_700_000_000.5,
            duration_seconds: 2.25,
            success: true,
        });
        assert!(
            text.contains("# TYPE xacct_managed_resources gauge\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "xacct_managed_resources{account=\"data\",kind=\"s3_bucket_policy\"} 2\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "xacct_drifted_resources{account=\"data\",kind=\"s3_bucket_policy\"} 1\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("xacct_run_duration_seconds 2.250\n"),
            "{text}"
        );
        assert!(text.contains("xacct_run_success 1\n"), "{text}");
    }

    #[test]
    fn a_failed_run_still_says_so() {
        let text = metrics_text(&RunFacts {
            tally: None,
            finished_at: 1.0,
            duration_seconds: 0.5,
            success: false,
        });
        assert!(text.contains("xacct_run_success 0\n"), "{text}");
        assert!(!text.contains("xacct_managed_resources{"), "{text}");
    }
}
