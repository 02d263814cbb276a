//! Runtime configuration: the CLI flags (each with an `ECS_EMULATOR_*` variable) and the access-key ring.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use crate::domain::quota::Quotas;
use crate::server::ConnectionLimits;

/// The port `serve` listens on when `--listen` is not given.
pub const DEFAULT_PORT: u16 = 18090;

/// The account that unsigned requests, and keys given without an account, belong to.
pub const DEFAULT_ACCOUNT: &str = "1000000000000001";

/// Command line of the `ecs-emulator` binary.
#[derive(Debug, Parser)]
#[command(
    name = "ecs-emulator",
    version,
    about = "A local emulator of Alibaba Cloud ECS and EBS (disk replication) APIs."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve every dialect (Alibaba RPC, Open Telekom Cloud EVS, control endpoints) on one listener.
    Serve(ServeArgs),
    /// Probe a running emulator's health endpoint; exit 0 when it answers 200.
    Healthcheck(HealthcheckArgs),
    /// Show a running emulator's version, dialects and operations, clock and accounts.
    Info(Remote),
    /// Reset a running emulator (or one account) to its seeded state.
    Reset(ResetArgs),
    /// Export a running emulator's state to stdout, or import a document into it.
    #[command(subcommand)]
    State(StateCommand),
    /// Read a running emulator's virtual clock, advance it, pause or resume it.
    Clock(ClockArgs),
    /// Add, list and remove fault rules of a running emulator.
    #[command(subcommand)]
    Faults(FaultsCommand),
    /// Show a running emulator's request log (or follow it live).
    Requests(RequestsArgs),
}

/// Where the running emulator is.
#[derive(Debug, Clone, clap::Args)]
pub struct Remote {
    /// The emulator's base URL.
    #[arg(long, env = "ECS_EMULATOR_URL", default_value_t = format!("http://127.0.0.1:{DEFAULT_PORT}"))]
    pub url: String,
    /// The control plane's bearer token, when the emulator requires one.
    #[arg(long, env = "ECS_EMULATOR_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
}

/// Flags of `reset`.
#[derive(Debug, Clone, clap::Args)]
pub struct ResetArgs {
    /// Where the emulator is.
    #[command(flatten)]
    pub remote: Remote,
    /// Reset only this account.
    #[arg(long)]
    pub account: Option<String>,
    /// Restart the resource-id and request-id sequences from this seed.
    #[arg(long)]
    pub seed: Option<u64>,
}

/// `state export` / `state import`.
#[derive(Debug, Clone, Subcommand)]
pub enum StateCommand {
    /// Write the state document to stdout.
    Export {
        /// Where the emulator is.
        #[command(flatten)]
        remote: Remote,
        /// Only this account.
        #[arg(long)]
        account: Option<String>,
    },
    /// Replace the state with a document (a file, or `-` for stdin).
    Import {
        /// Where the emulator is.
        #[command(flatten)]
        remote: Remote,
        /// Only this account.
        #[arg(long)]
        account: Option<String>,
        /// The document.
        file: PathBuf,
    },
}

/// Flags of `clock`.
#[derive(Debug, Clone, clap::Args)]
pub struct ClockArgs {
    /// Where the emulator is.
    #[command(flatten)]
    pub remote: Remote,
    /// Advance the clock by this many seconds.
    #[arg(long, conflicts_with_all = ["pause", "resume"])]
    pub advance: Option<f64>,
    /// Stop the clock (manual mode).
    #[arg(long, conflicts_with = "resume")]
    pub pause: bool,
    /// Let the clock follow the wall clock again, from its current time.
    #[arg(long)]
    pub resume: bool,
}

/// `faults add|list|delete|clear`.
#[derive(Debug, Clone, Subcommand)]
pub enum FaultsCommand {
    /// Add a rule given as JSON (the body of POST /_emulator/faults), e.g.
    /// '{"action":"StartInstance","code":"Throttling","http_status":400,"count":1}'.
    Add {
        /// Where the emulator is.
        #[command(flatten)]
        remote: Remote,
        /// The rule.
        rule: String,
    },
    /// List the rules.
    List {
        /// Where the emulator is.
        #[command(flatten)]
        remote: Remote,
    },
    /// Remove one rule.
    Delete {
        /// Where the emulator is.
        #[command(flatten)]
        remote: Remote,
        /// Its id.
        id: String,
    },
    /// Remove every rule.
    Clear {
        /// Where the emulator is.
        #[command(flatten)]
        remote: Remote,
    },
}

/// Flags of `requests`.
#[derive(Debug, Clone, clap::Args)]
pub struct RequestsArgs {
    /// Where the emulator is.
    #[command(flatten)]
    pub remote: Remote,
    /// Only this action.
    #[arg(long)]
    pub action: Option<String>,
    /// Only this HTTP status.
    #[arg(long)]
    pub status: Option<u16>,
    /// Only this account.
    #[arg(long)]
    pub account: Option<String>,
    /// At most this many (the newest).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Keep printing new calls as they arrive (one JSON object per line).
    #[arg(long)]
    pub follow: bool,
}

/// Flags of `serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (the chosen address is printed on stdout).
    #[arg(long, env = "ECS_EMULATOR_LISTEN", default_value_t = SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)))]
    pub listen: SocketAddr,

    /// An access key known to the emulator, as ID:SECRET or ID:SECRET:ACCOUNT. Repeatable; in the
    /// variable, separate keys with commas.
    #[arg(long = "access-key", env = "ECS_EMULATOR_ACCESS_KEYS", value_delimiter = ',', value_parser = parse_access_key)]
    pub access_keys: Vec<AccessKey>,

    /// permissive: unsigned requests and unknown keys are served, but a known key with a wrong
    /// signature is refused. strict: every request must be signed by a known key, fresh and unreplayed.
    #[arg(long, env = "ECS_EMULATOR_AUTH", value_enum, default_value_t = AuthMode::Permissive)]
    pub auth: AuthMode,

    /// A JSON seed file loaded at start-up (instances, disks, conditions); see fixtures/example-seed.json.
    #[arg(long, env = "ECS_EMULATOR_FIXTURES")]
    pub fixtures: Option<PathBuf>,

    /// realistic: transitional states last a few (virtual) seconds; instant: they complete at once.
    #[arg(long, env = "ECS_EMULATOR_TIMING", value_enum, default_value_t = Timing::Realistic)]
    pub timing: Timing,

    /// system: the virtual clock follows the wall clock; manual: it stands still until advanced
    /// through POST /_emulator/clock (deterministic tests).
    #[arg(long, env = "ECS_EMULATOR_CLOCK", value_enum, default_value_t = ClockMode::System)]
    pub clock: ClockMode,

    /// How many virtual seconds one replication RPO second lasts (RPO 900 s with 0.01 → 9 s cycles).
    #[arg(long, env = "ECS_EMULATOR_RPO_SCALE", default_value_t = 0.01)]
    pub rpo_scale: f64,

    /// Seed of the id generator; the same seed and requests give the same ids.
    #[arg(long, env = "ECS_EMULATOR_SEED")]
    pub seed: Option<u64>,

    /// Log format on stderr.
    #[arg(long, env = "ECS_EMULATOR_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// Largest accepted request body, in bytes.
    #[arg(long, env = "ECS_EMULATOR_MAX_BODY", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Seconds after which a request that has not been fully received is answered 504 RequestTimeout.
    #[arg(long, env = "ECS_EMULATOR_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout_secs: u64,

    /// The bearer token the control endpoints under /_emulator/ require. Required when the
    /// listen address is not a loopback address.
    #[arg(long, env = "ECS_EMULATOR_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// A host name the control endpoints accept besides loopback names and the listen
    /// address (a defence against DNS rebinding). Repeatable; comma-separated in the variable.
    #[arg(
        long = "allowed-host",
        env = "ECS_EMULATOR_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,

    /// Keep the state in this directory and restore it at start (without it, state is memory only).
    #[arg(long, env = "ECS_EMULATOR_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// strict: every acknowledged change is on disk first; relaxed: changes are synced every
    /// 50 ms, and a crash may lose the last 50 ms of them.
    #[arg(long, env = "ECS_EMULATOR_DURABILITY", value_enum, default_value_t = DurabilityArg::Strict)]
    pub durability: DurabilityArg,

    /// How many of the most recent calls GET /_emulator/requests keeps (0 turns the log off).
    #[arg(long, env = "ECS_EMULATOR_REQUEST_LOG", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(0..=100_000))]
    pub request_log_size: u64,

    /// An OTC (Keystone) user, NAME:PASSWORD[:DOMAIN]. Repeatable; comma-separated in the
    /// variable. Without any: admin:admin in domain Default.
    #[arg(
        long = "otc-user",
        env = "ECS_EMULATOR_OTC_USERS",
        value_delimiter = ','
    )]
    pub otc_users: Vec<String>,

    /// An OTC project, NAME:REGION[:ACCOUNT] (a project is one account in one region).
    /// Repeatable; comma-separated in the variable. Without any: eu-de:eu-de and eu-nl:eu-nl,
    /// in account 1000000000000001.
    #[arg(
        long = "otc-project",
        env = "ECS_EMULATOR_OTC_PROJECTS",
        value_delimiter = ','
    )]
    pub otc_projects: Vec<String>,

    /// Per-account resource quotas.
    #[command(flatten)]
    pub quotas: QuotaArgs,

    /// Connection timeouts and limits.
    #[command(flatten)]
    pub connections: ConnectionArgs,
}

/// Connection timeouts and limits.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct ConnectionArgs {
    /// Seconds from the first byte of a request head to its end; a slower client is disconnected.
    #[arg(long, env = "ECS_EMULATOR_HEADER_TIMEOUT", default_value_t = DEFAULT_CONNECTIONS.header_timeout_secs)]
    pub header_timeout_secs: u64,
    /// Seconds a keep-alive connection may sit without a request before it is closed.
    #[arg(long, env = "ECS_EMULATOR_IDLE_TIMEOUT", default_value_t = DEFAULT_CONNECTIONS.idle_timeout_secs)]
    pub idle_timeout_secs: u64,
    /// Connections open at once (at most the open-file limit less 64); more wait to be accepted.
    #[arg(long, env = "ECS_EMULATOR_MAX_CONNECTIONS", default_value_t = DEFAULT_CONNECTIONS.max_connections)]
    pub max_connections: usize,
    /// Seconds a shutdown lets open requests finish before it closes what is left.
    #[arg(long, env = "ECS_EMULATOR_SHUTDOWN_GRACE", default_value_t = DEFAULT_CONNECTIONS.shutdown_grace_secs)]
    pub shutdown_grace_secs: u64,
}

/// The connection defaults: a header within 10 s, 60 s idle, 1,024 connections, 10 s to drain.
const DEFAULT_CONNECTIONS: ConnectionArgs = ConnectionArgs {
    header_timeout_secs: 10,
    idle_timeout_secs: 60,
    max_connections: 1024,
    shutdown_grace_secs: 10,
};

impl Default for ConnectionArgs {
    fn default() -> Self {
        DEFAULT_CONNECTIONS
    }
}

impl ConnectionArgs {
    /// The limits the listener applies.
    pub fn limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            header_timeout: Duration::from_secs(self.header_timeout_secs),
            idle_timeout: Duration::from_secs(self.idle_timeout_secs),
            max_connections: self.max_connections,
            shutdown_grace: Duration::from_secs(self.shutdown_grace_secs),
        }
    }
}

/// How many resources one account may hold (a seed can set other numbers per account).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct QuotaArgs {
    /// Instances per account; RunInstances past it answers QuotaExceed.AfterpayInstance.
    #[arg(long, env = "ECS_EMULATOR_QUOTA_INSTANCES", default_value_t = Quotas::default().instances)]
    pub quota_instances: usize,
    /// Disks per account, system disks included; past it QuotaExceed.PostPaidDisk.
    #[arg(long, env = "ECS_EMULATOR_QUOTA_DISKS", default_value_t = Quotas::default().disks)]
    pub quota_disks: usize,
    /// Disk replica pairs per account; past it OperationDenied.QuotaExceed.
    #[arg(long, env = "ECS_EMULATOR_QUOTA_REPLICA_PAIRS", default_value_t = Quotas::default().replica_pairs)]
    pub quota_replica_pairs: usize,
    /// Disk replica groups per account; past it OperationDenied.QuotaExceed.
    #[arg(long, env = "ECS_EMULATOR_QUOTA_REPLICA_GROUPS", default_value_t = Quotas::default().replica_groups)]
    pub quota_replica_groups: usize,
}

impl Default for QuotaArgs {
    fn default() -> Self {
        Quotas::default().into()
    }
}

impl From<Quotas> for QuotaArgs {
    fn from(q: Quotas) -> Self {
        Self {
            quota_instances: q.instances,
            quota_disks: q.disks,
            quota_replica_pairs: q.replica_pairs,
            quota_replica_groups: q.replica_groups,
        }
    }
}

impl From<QuotaArgs> for Quotas {
    fn from(q: QuotaArgs) -> Self {
        Self {
            instances: q.quota_instances,
            disks: q.quota_disks,
            replica_pairs: q.quota_replica_pairs,
            replica_groups: q.quota_replica_groups,
        }
    }
}

/// Flags of `healthcheck`.
#[derive(Debug, Clone, clap::Args)]
pub struct HealthcheckArgs {
    /// The health URL to probe.
    #[arg(long, env = "ECS_EMULATOR_HEALTH_URL", default_value_t = format!("http://127.0.0.1:{DEFAULT_PORT}/_emulator/health"))]
    pub url: String,
    /// Seconds to wait for an answer.
    #[arg(long, default_value_t = 3)]
    pub timeout_secs: u64,
}

/// How strictly signatures are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthMode {
    /// Unsigned requests and unknown keys are served; known keys must sign correctly.
    Permissive,
    /// Only correctly signed, fresh, unreplayed requests from known keys are served.
    Strict,
}

/// How long transitional states last (the CLI's spelling of the domain's timing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Timing {
    /// Short documented delays, observable through Describe calls.
    Realistic,
    /// Every transition completes within the call that starts it.
    Instant,
}

/// Where the virtual clock's time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClockMode {
    /// Wall clock plus any advance.
    System,
    /// Frozen at start-up; moves only when advanced.
    Manual,
}

/// How long a change waits for the disk (with `--data-dir`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DurabilityArg {
    /// Synced before it is acknowledged.
    Strict,
    /// Synced every 50 ms.
    Relaxed,
}

impl From<DurabilityArg> for crate::persist::Durability {
    fn from(d: DurabilityArg) -> Self {
        match d {
            DurabilityArg::Strict => Self::Strict,
            DurabilityArg::Relaxed => Self::Relaxed,
        }
    }
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// One access key known to the emulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    /// AccessKeyId.
    pub id: String,
    /// AccessKeySecret.
    pub secret: String,
    /// The account whose resources the key sees.
    pub account: String,
}

fn parse_access_key(s: &str) -> Result<AccessKey, String> {
    let mut parts = s.splitn(3, ':');
    let (Some(id), Some(secret)) = (parts.next(), parts.next()) else {
        return Err("expected ID:SECRET or ID:SECRET:ACCOUNT".into());
    };
    if id.is_empty() || secret.is_empty() {
        return Err("the key id and secret must not be empty".into());
    }
    let account = parts
        .next()
        .filter(|a| !a.is_empty())
        .unwrap_or(DEFAULT_ACCOUNT);
    Ok(AccessKey {
        id: id.into(),
        secret: secret.into(),
        account: account.into(),
    })
}

/// The access keys the emulator knows, by AccessKeyId.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    keys: HashMap<String, AccessKey>,
}

impl Keyring {
    /// Builds the ring; a later key with the same id replaces an earlier one.
    pub fn new(keys: impl IntoIterator<Item = AccessKey>) -> Self {
        Self {
            keys: keys.into_iter().map(|k| (k.id.clone(), k)).collect(),
        }
    }

    /// The key with this id, if known.
    pub fn get(&self, id: &str) -> Option<&AccessKey> {
        self.keys.get(id)
    }

    /// True when no key is configured.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl ServeArgs {
    /// Arguments with every default, listening on `listen` (used by tests and benchmarks).
    pub fn for_listen(listen: SocketAddr) -> Self {
        Self {
            listen,
            access_keys: Vec::new(),
            auth: AuthMode::Permissive,
            fixtures: None,
            timing: Timing::Realistic,
            clock: ClockMode::System,
            rpo_scale: 0.01,
            seed: None,
            log_format: LogFormat::Text,
            max_body_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            request_log_size: 1000,
            data_dir: None,
            durability: DurabilityArg::Strict,
            admin_token: None,
            allowed_hosts: Vec::new(),
            otc_users: Vec::new(),
            otc_projects: Vec::new(),
            quotas: QuotaArgs::default(),
            connections: ConnectionArgs::default(),
        }
    }
}

impl From<Timing> for crate::domain::clock::Timing {
    fn from(t: Timing) -> Self {
        match t {
            Timing::Realistic => Self::Realistic,
            Timing::Instant => Self::Instant,
        }
    }
}

impl From<ClockMode> for crate::domain::clock::ClockMode {
    fn from(m: ClockMode) -> Self {
        match m {
            ClockMode::System => Self::System,
            ClockMode::Manual => Self::Manual,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_key_forms() {
        let k = parse_access_key("AK:SK").unwrap();
        assert_eq!(
            (k.id.as_str(), k.secret.as_str(), k.account.as_str()),
            ("AK", "SK", DEFAULT_ACCOUNT)
        );
        let k = parse_access_key("AK:SK:42").unwrap();
        assert_eq!(k.account, "42");
        assert!(parse_access_key("AK").is_err());
        assert!(parse_access_key(":SK").is_err());
    }

    #[test]
    fn quota_flags_override_the_defaults() {
        let cli = Cli::try_parse_from(["ecs-emulator", "serve", "--quota-disks", "5"]).unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("not serve");
        };
        assert_eq!(
            Quotas::from(args.quotas),
            Quotas {
                disks: 5,
                ..Quotas::default()
            }
        );
        assert_eq!(Quotas::from(QuotaArgs::default()), Quotas::default());
    }
}
