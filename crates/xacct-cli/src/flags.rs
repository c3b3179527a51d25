//! The raw command line, as the user typed it. Turning it into decisions
//! (color, parallelism, prompts) happens in the commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Keeps cross-account AWS data setups (S3 Object Ownership, bucket policies,
/// SNS topic policies, notifications, CloudTrail data events) true to a YAML spec.
///
/// Exit codes: 0 success (and, with --detailed-exitcode or for drift, no
/// changes); 1 error; 2 changes pending (plan --detailed-exitcode) or drift found;
/// 130 verify interrupted (after deleting its test objects).
///
/// Environment: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL (S3 then uses
/// path-style addressing, for local emulators), AWS_CONFIG_FILE,
/// AWS_SHARED_CREDENTIALS_FILE, AWS_RETRY_MODE and AWS_MAX_ATTEMPTS (default:
/// adaptive, 5 attempts) and the rest of the AWS SDK's conventions; NO_COLOR
/// disables color; RUST_LOG sets log filters (logs go to stderr).
#[derive(Debug, Parser)]
#[command(name = "xacct", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// More logs on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// When to color output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the spec offline, and lint it for least privilege (warnings on
    /// stderr). Exit 0 valid, 1 invalid (or, with --strict, any warning).
    Validate(ValidateArgs),
    /// Read live state and show what apply would change.
    Plan(PlanArgs),
    /// Make the changes: plans, shows the plan, asks for `yes` on a terminal.
    Apply(ApplyArgs),
    /// Plan for a schedule: list drifted resources. Exit 0 in sync, 2 drift, 1 error.
    Drift(DriftArgs),
    /// Render a plan saved with `plan --out`.
    Show(ShowArgs),
    /// Print the IAM policy xacct needs: read-only for drift/plan, or for apply.
    Permissions(PermissionsArgs),
    /// Print the JSON Schema of the spec.
    Schema,
    /// Render what the spec wants in another tool's format (offline).
    #[command(subcommand)]
    Export(ExportFormat),
    /// Check that the setup works: policies evaluated as AWS would, and live
    /// probes with the control account's credentials (a test object is
    /// written and always deleted). Exit 0 all checks pass, 1 otherwise.
    Verify(VerifyArgs),
    /// Ask the spec's Quilt catalog to index a bucket again (the whole
    /// bucket, or the keys under --prefix).
    Reindex(ReindexArgs),
    /// Print a shell completion script: `source <(xacct completions bash)`.
    Completions(CompletionsArgs),
    /// Print the man page (roff): `xacct man > /usr/local/share/man/man1/xacct.1`.
    Man,
}

#[derive(Debug, Args)]
pub struct ReindexArgs {
    #[command(flatten)]
    pub spec: SpecArgs,

    /// The bucket to index again.
    pub bucket: String,

    /// Only keys starting with this (literally: `data` also matches
    /// `database/`); the search index is kept. Without it, every key is
    /// scanned again and the index is rebuilt.
    #[arg(long)]
    pub prefix: Option<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct SpecArgs {
    /// The spec file.
    #[arg(short = 'f', long = "file", default_value = "deploy.yaml")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub spec: SpecArgs,

    /// Treat lint warnings (root-principal, write-to-read-only, unknown-action,
    /// wildcard-action) as errors: exit 1 if there is any.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct LiveArgs {
    #[command(flatten)]
    pub spec: SpecArgs,

    /// How many AWS reads run at once (64: measured fastest without raising
    /// memory much; see docs/benchmark.md).
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallelism: u16,

    /// Limit the run to an address (`s3_bucket_policy.my-bucket`) or a name
    /// (every resource of that bucket, topic or trail); repeatable. What the
    /// targets depend on is included, and said so.
    #[arg(long = "target", value_name = "ADDR")]
    pub targets: Vec<String>,

    #[command(flatten)]
    pub scope: ScopeArgs,

    /// Plan bucket policies even if they would deny the bucket owner's own
    /// account everything on the bucket (refused by default: a lock-out).
    #[arg(long)]
    pub allow_lockout: bool,
}

/// Which of the spec's accounts a run covers.
#[derive(Debug, Args)]
pub struct ScopeArgs {
    /// Only the documents stored in this account (the spec's name); repeatable.
    #[arg(long = "account", value_name = "NAME")]
    pub accounts: Vec<String>,

    /// Only the accounts of shard I of N (0 <= I < N, as Kubernetes'
    /// JOB_COMPLETION_INDEX): the spec's accounts split into N disjoint
    /// groups by a digest of their names, stable as accounts come and go.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<xacct_engine::Shard>,
}

impl ScopeArgs {
    pub fn scope(&self) -> xacct_engine::AccountScope {
        xacct_engine::AccountScope {
            accounts: self.accounts.clone(),
            shard: self.shard,
        }
    }
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub live: LiveArgs,

    #[command(flatten)]
    pub metrics: MetricsArgs,

    /// Exit 0 when there are no changes, 2 when there are (1 stays an error).
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Also save the plan to this file, for `apply PLANFILE` and `show`.
    #[arg(long, value_name = "PLANFILE")]
    pub out: Option<PathBuf>,

    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,

    /// Treat lint warnings as errors: exit 1, reading nothing from AWS if the
    /// spec has any, and showing and saving no plan if the live bucket
    /// policies have any (resource-mismatch) or if pruning could not read a
    /// document of an unlisted bucket or topic.
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub live: LiveArgs,

    /// Apply without asking. Required when stdin is not a terminal (a saved
    /// plan is applied without asking: it was reviewed when it was made).
    #[arg(long)]
    pub auto_approve: bool,

    /// A plan saved with `plan --out`: applied exactly, or refused whole if any
    /// resource it touches changed since it was made.
    #[arg(value_name = "PLANFILE")]
    pub plan_file: Option<PathBuf>,

    /// `json`: one document with each address's result (applied, failed,
    /// skipped) and AWS error code, instead of the text report.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[arg(value_name = "PLANFILE")]
    pub plan_file: PathBuf,

    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
}

#[derive(Debug, Args)]
pub struct PermissionsArgs {
    /// `drift` (also enough for plan): reads only; `apply`: reads and writes.
    #[arg(long, value_enum, default_value_t = PermissionsMode::Apply)]
    pub mode: PermissionsMode,

    /// The spec: when one of its accounts has `prune: true`, the listing
    /// actions pruning needs are added (s3:ListAllMyBuckets, sns:ListTopics, ...).
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PermissionsMode {
    Drift,
    Apply,
    /// What `verify` needs: the reads, plus the control account's probes.
    Verify,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
    /// For pull-request comments.
    Markdown,
}

#[derive(Debug, Args)]
pub struct DriftArgs {
    #[command(flatten)]
    pub live: LiveArgs,

    /// `junit`: a testsuite per account, a testcase per managed resource
    /// (drift: a failure; an unreadable document: an error).
    #[arg(long, value_enum, default_value_t = DriftFormat::Text)]
    pub format: DriftFormat,

    #[command(flatten)]
    pub metrics: MetricsArgs,

    /// On drift, POST a JSON alert (`text`, `drifted`) to this webhook
    /// (Slack-style incoming webhooks show `text` as is). The URL is a
    /// secret: only its scheme and host are ever shown. A failed
    /// notification is an error on stderr; the exit code still says drift.
    #[arg(
        long,
        value_name = "URL",
        env = "XACCT_NOTIFY_URL",
        hide_env_values = true
    )]
    pub notify: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DriftFormat {
    Text,
    Json,
    Junit,
}

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// Also write the run's metrics here, in Prometheus' text format,
    /// atomically (for node_exporter's textfile collector or a push
    /// gateway); a failed run still writes `xacct_run_success 0`.
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum ExportFormat {
    /// The bucket and topic policies as a CloudFormation template (YAML) of
    /// one stack, i.e. one account and one region.
    ///
    /// CAUTION: AWS::S3::BucketPolicy and AWS::SNS::TopicPolicy replace the
    /// WHOLE policy when deployed, whereas xacct keeps statements that are not
    /// its own; copy any statement others rely on into the template first.
    #[command(name = "cloudformation")]
    CloudFormation(CloudFormationArgs),
}

#[derive(Debug, Args)]
pub struct CloudFormationArgs {
    #[command(flatten)]
    pub spec: SpecArgs,

    /// The account (spec name) whose stack to render; needed when the spec's
    /// policies live in more than one account.
    #[arg(long, value_name = "NAME")]
    pub account: Option<String>,

    /// The region whose stack to render; needed when the account's policies
    /// live in more than one region.
    #[arg(long)]
    pub region: Option<String>,

    /// Write the template to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub spec: SpecArgs,

    /// The account whose credentials make the live probes and whom the data
    /// accounts' grants must name. Default: the account named `control`,
    /// else the one account the buckets' grants name.
    #[arg(long, value_name = "NAME")]
    pub control: Option<String>,

    /// Limit the checks to a bucket, topic or trail (a name or an address); repeatable.
    #[arg(long = "target", value_name = "ADDR")]
    pub targets: Vec<String>,

    #[command(flatten)]
    pub scope: ScopeArgs,

    /// How many AWS calls run at once.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub parallelism: u16,

    /// Skip the live probes: only the static checks of the live documents.
    #[arg(long)]
    pub no_probes: bool,

    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}
