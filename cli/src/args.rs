//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "clawcheck",
    version = concat!(env!("CARGO_PKG_VERSION"), " (built-in rules: OpenClaw ", env!("CLAWCHECK_BUILTIN_PACK_VERSION"), ")"),
    about = "Audit an OpenClaw gateway the way `openclaw security audit` does, with declarative rules"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per run: the size of the audit's arguments does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Audit an OpenClaw config and state directory.
    Audit(Box<AuditArgs>),
    /// Work with rule packs.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Explain a rule: what it checks, why, how to fix, its examples.
    Explain(ExplainArgs),
    /// Print shell completions (rule ids complete after `explain`,
    /// `--select` and `--ignore`).
    Completions(CompletionsArgs),
    /// Print a man page (roff), or write one per subcommand with --out.
    Man(ManArgs),
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write clawcheck.1 and one page per subcommand (clawcheck-audit.1,
    /// clawcheck-rules-test.1, ...) into DIR, creating it, instead of
    /// printing a page.
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub out: Option<PathBuf>,
    /// The subcommand whose page to print (`audit`, `rules test`); default:
    /// clawcheck's own page.
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A rule id, or a checkId a rule produces (channels.telegram.dm.open).
    pub id: String,
    #[command(flatten)]
    pub pack: PackArgs,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub struct PackArgs {
    /// Load this rule pack (a directory of rules, with an optional pack.yaml
    /// manifest); repeatable, later packs take precedence.
    #[arg(long = "pack", visible_alias = "rules", value_name = "DIR")]
    pub packs: Vec<PathBuf>,
    /// Do not load the built-in rule pack (a pack may still extend it).
    #[arg(long)]
    pub no_builtin_rules: bool,
    /// Read clawcheck's settings from this file instead of looking for
    /// clawcheck.yaml or .clawcheck.yaml from the working directory up.
    #[arg(long, value_name = "FILE", conflicts_with = "no_settings")]
    pub settings: Option<PathBuf>,
    /// Ignore clawcheck.yaml / .clawcheck.yaml.
    #[arg(long)]
    pub no_settings: bool,
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    /// Config file (default: $OPENCLAW_CONFIG_PATH, else <state dir>/openclaw.json).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// State directory (default: $OPENCLAW_STATE_DIR, else ~/.openclaw).
    #[arg(long, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// Report format on standard output.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// Shorthand for --format json (OpenClaw's `security audit --json` shape).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Also write the report to FILE, as FORMAT (human, json, sarif, github, concise;
    /// default from the extension: .sarif, .json, .txt); repeatable.
    #[arg(long = "output", value_name = "[FORMAT=]FILE")]
    pub outputs: Vec<String>,
    /// Exit with status 1 when a finding at or above this severity remains
    /// (default: critical, or fail_on from clawcheck.yaml); a config OpenClaw
    /// would refuse to start with exits 5 under every threshold but never.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Report only findings that are not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings as a baseline in FILE (the run then
    /// exits 0 whatever it found).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Report (and fix) only these checks: checkIds, prefixes such as `fs`
    /// or globs such as `fs.*.perms_*`; comma-separated or repeated
    /// (replaces `select:` of clawcheck.yaml).
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Never report (or fix) these checks; same forms as --select (adds to
    /// `ignore:` of clawcheck.yaml).
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Directory SARIF and GitHub annotations name files from (default: the
    /// settings file's directory, else the git work tree around the working
    /// directory, else the working directory).
    #[arg(long, value_name = "DIR")]
    pub source_root: Option<PathBuf>,
    /// Audit as if the gateway used this auth mode (as `openclaw security audit --auth`).
    #[arg(long, value_enum)]
    pub auth: Option<AuthMode>,
    /// Gateway token for --auth token.
    #[arg(long)]
    pub token: Option<String>,
    /// Gateway password for --auth password.
    #[arg(long)]
    pub password: Option<String>,
    /// Also scan the source of installed plugins and skills for dangerous
    /// code patterns, and probe the running gateway, as `openclaw security
    /// audit --deep` does (docs/deep.md says what it reads and sends).
    #[arg(long)]
    pub deep: bool,
    /// Apply the fixes the rules declare (modes of state files, safe config
    /// edits), then audit again and report what is left.
    #[arg(long)]
    pub fix: bool,
    /// With --fix: print the planned edits as a unified diff and the planned
    /// mode changes; write nothing.
    #[arg(long, requires = "fix")]
    pub dry_run: bool,
    /// Audit many gateways: a directory of state directories, or an NDJSON
    /// file (`-`: standard input) of configs. Prints one JSON line per
    /// gateway, in input order, auditing in parallel on every core.
    #[arg(long, value_name = "DIR|FILE|-", conflicts_with_all = ["config", "state_dir", "fix", "format", "json", "outputs", "baseline", "write_baseline"])]
    pub fleet: Option<PathBuf>,
    /// Let facts read file contents under DIR too (they read only under the
    /// state directory, the config's directory and the built-in pack's read
    /// roots otherwise); repeatable.
    #[arg(long = "allow-read", value_name = "DIR")]
    pub allow_read: Vec<PathBuf>,
    /// Show each finding with snippets of the config lines that cause it,
    /// every place it points at marked (the default report is one headline
    /// per finding, with its detail and help).
    #[arg(long)]
    pub show_source: bool,
    /// Show only findings at or above --fail-on, and the summary.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print how many findings each check produced instead of the findings.
    #[arg(long, conflicts_with_all = ["json", "format"])]
    pub statistics: bool,
    /// Let rules see the environment variable NAME too (they see only the
    /// variables the built-in pack declares and those the config's `${VAR}`
    /// substitutions use otherwise); repeatable.
    #[arg(long = "allow-env", value_name = "NAME")]
    pub allow_env: Vec<String>,
    /// With --deep: let packs other than the built-in one open the
    /// connections their `websocket_probe` facts name (only the built-in
    /// gateway probe connects otherwise).
    #[arg(long = "allow-network", requires = "deep")]
    pub allow_network: bool,
    /// When to use colour in the human report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(flatten)]
    pub pack: PackArgs,
}

/// A report format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Findings grouped by severity: headline, detail and help of each
    /// (config snippets with --show-source).
    Human,
    /// OpenClaw's `security audit --json` shape, plus locations.
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// One line per finding: `file:line:col severity checkId title`.
    Concise,
}

impl Format {
    /// The format a file name implies.
    pub fn of_file(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".sarif") || lower.ends_with(".sarif.json") {
            Some(Format::Sarif)
        } else if lower.ends_with(".json") {
            Some(Format::Json)
        } else if lower.ends_with(".txt") || lower.ends_with(".log") {
            Some(Format::Human)
        } else {
            None
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Run every rule's examples and report the ones that fail.
    Test(TestArgs),
    /// Load and check rule packs without running anything.
    Check(RulesArgs),
    /// List the rules: id, severities, area, fix, pack.
    List(RulesArgs),
    /// Create a rule file with every section to fill in.
    New(NewArgs),
    /// Write the generated references (docs/functions.md, docs/rules.md).
    Docs(DocsArgs),
}

#[derive(Args, Debug)]
pub struct DocsArgs {
    /// Directory to write into.
    #[arg(long, default_value = "docs")]
    pub out: PathBuf,
    /// Do not write; exit 1 if the files differ from what would be written.
    #[arg(long)]
    pub check: bool,
}

#[derive(Args, Debug)]
pub struct TestArgs {
    #[command(flatten)]
    pub rules: RulesArgs,
    /// Rewrite the `expect:` of failing examples with what the rule reports
    /// now (review the diff before committing it).
    #[arg(long)]
    pub update: bool,
    /// Then mutate each rule (flip a comparison, drop an operand of
    /// and/or, negate a condition, shift a number by one, change or swap a
    /// severity) and report every mutant its examples do not kill, except
    /// those the pack lists in `equivalent_mutants`.
    #[arg(long, conflicts_with = "update")]
    pub mutants: bool,
}

#[derive(Args, Debug)]
pub struct NewArgs {
    /// The rule id (the checkId), e.g. acme.gateway.bind_public.
    pub id: String,
    /// Directory to create it in (default: rules/<area> when that built-in
    /// area exists, else ./<area>; <area> is the first part of the id).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// Rule directories to load (besides the built-in pack).
    #[arg(value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Load this rule pack too, as `audit` and `explain` take it (the same
    /// as a positional DIR); repeatable.
    #[arg(long = "pack", visible_alias = "rules", value_name = "DIR")]
    pub packs: Vec<PathBuf>,
    /// Do not load the built-in rule pack.
    #[arg(long)]
    pub no_builtin_rules: bool,
    /// Make the authoring bar (docs, two triggering examples, one quiet,
    /// one per severity) an error instead of a warning.
    #[arg(long)]
    pub strict: bool,
    /// When to use colour.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Info,
    Warn,
    Critical,
    /// Never fail because of findings (a refused config included).
    #[value(alias = "never")]
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuthMode {
    None,
    Token,
    Password,
    #[value(name = "trusted-proxy")]
    TrustedProxy,
}

impl AuthMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMode::None => "none",
            AuthMode::Token => "token",
            AuthMode::Password => "password",
            AuthMode::TrustedProxy => "trusted-proxy",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Colour on a terminal unless NO_COLOR is set (no-color.org) or the
    /// terminal says it cannot show it (`TERM=dumb`).
    pub fn enabled(self, io: &crate::Io) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                io.terminal && io.env.get("NO_COLOR").is_none_or(str::is_empty) && io.env.get("TERM") != Some("dumb")
            }
        }
    }
}
