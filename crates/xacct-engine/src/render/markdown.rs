//! Markdown for pull-request comments: a summary line, then one collapsible
//! section per changed resource with its diff in a `diff` code block, kept
//! under GitHub's comment limit.

use std::fmt::Write as _;

use super::text::{lines, verb};
use crate::plan::Plan;

/// GitHub refuses comments longer than this many characters.
pub const COMMENT_LIMIT: usize = 65_536;

pub fn plan_markdown(plan: &Plan) -> String {
    plan_markdown_within(plan, COMMENT_LIMIT)
}

/// As [`plan_markdown`], truncated to `limit` characters: whole sections are
/// dropped from the end and a note says how many.
pub fn plan_markdown_within(plan: &Plan, limit: usize) -> String {
    let mut out = changes_markdown(plan, limit);
    let ignored = super::text::ignored_text(plan);
    if !ignored.is_empty() {
        let _ = write!(out, "\n```text{ignored}```\n");
    }
    out
}

fn changes_markdown(plan: &Plan, limit: usize) -> String {
    let summary = plan.summary();
    let mut out = String::from("### xacct plan\n\n");
    if !plan.has_changes() {
        let _ = writeln!(
            out,
            "**No changes.** Live state matches the spec ({} managed resources checked).",
            plan.changes.len()
        );
        return out;
    }
    let _ = writeln!(
        out,
        "**Plan: {} to add, {} to change, {} to destroy.**\n",
        summary.add, summary.change, summary.destroy
    );
    let sections: Vec<String> = plan.pending().map(section).collect();
    // Room for the truncation note, whatever the numbers in it.
    let reserve = 200;
    for (index, section) in sections.iter().enumerate() {
        if out.len() + section.len() + reserve > limit {
            let left = sections.len() - index;
            let _ = writeln!(
                out,
                "> **Truncated:** {left} more resource{} not shown (GitHub's comment limit). \
                 Run `xacct show` on the plan artifact for the whole plan.",
                if left == 1 { "" } else { "s" }
            );
            return out;
        }
        out.push_str(section);
    }
    out
}

fn section(change: &crate::ResourceChange) -> String {
    let mut out = format!(
        "<details><summary><code>{}</code> {}</summary>\n\n```diff\n",
        change.address,
        verb(change)
    );
    for line in lines(change) {
        // In a diff block the marker must come first to be colored.
        let _ = writeln!(
            out,
            "{} {}{}",
            line.marker,
            "    ".repeat(line.depth),
            line.text
        );
    }
    for note in &change.notes {
        let _ = writeln!(out, "  ({note})");
    }
    out.push_str("```\n\n</details>\n\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::text::tests::sample_plan;

    #[test]
    fn plan_markdown_snapshot() {
        let expected = r#"### xacct plan

**Plan: 0 to add, 2 to change, 0 to destroy.**

<details><summary><code>s3_ownership_controls.data-bucket</code> will be updated in-place</summary>

```diff
~ object_ownership = "ObjectWriter" -> "BucketOwnerEnforced"
```

</details>

<details><summary><code>s3_bucket_policy.data-bucket</code> will be updated in-place</summary>

```diff
~ statement "QuiltAccess" {
+     Action = "s3:PutObject"
  }
+ statement "QuiltRoles" {
+     Effect = "Allow"
+     Action = "s3:ListBucket"
  }
  (1 statement of others kept unchanged)
```

</details>

"#;
        assert_eq!(plan_markdown(&sample_plan()), expected);
    }

    #[test]
    fn long_plans_are_truncated_with_a_note() {
        let mut plan = sample_plan();
        let template = plan.changes[1].clone();
        for n in 0..2000 {
            let mut change = template.clone();
            change.address.name = format!("bucket-{n}");
            plan.changes.push(change);
        }
        let markdown = plan_markdown(&plan);
        assert!(markdown.len() <= COMMENT_LIMIT, "{}", markdown.len());
        assert!(markdown.contains("**Truncated:**"), "{markdown}");
        assert!(markdown.trim_end().ends_with("for the whole plan."));
    }
}
