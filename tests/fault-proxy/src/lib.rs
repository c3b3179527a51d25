//! A small fault-injecting HTTP/1.1 forwarding proxy for xacct's tests.
//!
//! The SDK is pointed at it (`AWS_ENDPOINT_URL=http://127.0.0.1:PORT`) and it
//! forwards each request to the upstream emulator, after a fixed latency,
//! unless the seeded fault plan says to answer with the service's own
//! throttling error, a 500, or to reset the connection (before forwarding, or
//! after forwarding so the client cannot know whether a write landed). It
//! counts requests by (service, operation) and by outcome.
//!
//! ```no_run
//! use xacct_fault_proxy::{Config, FaultProxy, FaultRates};
//! let proxy = FaultProxy::start(
//!     Config::new("http://127.0.0.1:5000").rates(FaultRates::new(0.15, 0.05, 0.03)).seed(7),
//! )
//! .unwrap();
//! let endpoint = proxy.endpoint(); // http://127.0.0.1:PORT
//! // ... run the client ...
//! let stats = proxy.stats();
//! println!("{}", stats.to_json());
//! ```
//!
//! The proxy runs on a thread with its own tokio runtime, so synchronous and
//! async tests can both use it; dropping the [`FaultProxy`] stops it.

pub mod classify;
pub mod fault;
mod http;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use classify::{classify, Operation, RequestView};
pub use fault::{error_response, Fault, FaultRates, SplitMix64};

/// What the proxy forwards to and which faults it injects.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `host:port` of the upstream (an `http://` prefix is accepted).
    pub upstream: String,
    /// Where to listen (`127.0.0.1:0` by default: a free port).
    pub listen: SocketAddr,
    /// Added to every request before it is answered or forwarded.
    pub latency: Duration,
    pub rates: FaultRates,
    pub seed: u64,
    /// Whether STS (credential) requests get faults too. Default: no, so the
    /// credential setup is not what a fault test tests.
    pub fault_sts: bool,
    /// Services (credential-scope names: `s3`, `sns`, `cloudtrail`, `sts`)
    /// that get faults; empty: all (STS only with `fault_sts`).
    pub only_services: Vec<String>,
    /// Faults only for write operations (Put*, Delete*, Set*, ...), to
    /// produce writes of unknown outcome without disturbing reads.
    pub writes_only: bool,
    /// A request rate (per second, summed over every request faults apply to:
    /// `only_services`, `writes_only`, STS) above which requests get the
    /// service's throttling error, as AWS answers a client that
    /// exceeds its request rate: throttling that depends on the client's
    /// load, not on chance. `None`: no limit.
    pub max_rate: Option<f64>,
    /// Where the counters are written as JSON: on each `GET /__proxy/stats`
    /// and when the proxy stops.
    pub stats_file: Option<PathBuf>,
}

impl Config {
    /// No latency, no faults, seed 0.
    pub fn new(upstream: &str) -> Config {
        Config {
            upstream: upstream_authority(upstream),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            latency: Duration::ZERO,
            rates: FaultRates::none(),
            seed: 0,
            fault_sts: false,
            only_services: Vec::new(),
            writes_only: false,
            max_rate: None,
            stats_file: None,
        }
    }

    /// Throttles what exceeds `per_second` requests a second.
    pub fn max_rate(mut self, per_second: f64) -> Config {
        self.max_rate = Some(per_second);
        self
    }

    pub fn latency_ms(mut self, ms: u64) -> Config {
        self.latency = Duration::from_millis(ms);
        self
    }

    pub fn rates(mut self, rates: FaultRates) -> Config {
        self.rates = rates;
        self
    }

    pub fn seed(mut self, seed: u64) -> Config {
        self.seed = seed;
        self
    }

    pub fn fault_sts(mut self, yes: bool) -> Config {
        self.fault_sts = yes;
        self
    }

    /// Faults only for these services.
    pub fn only(mut self, services: &[&str]) -> Config {
        self.only_services = services.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Faults only for write operations.
    pub fn writes_only(mut self, yes: bool) -> Config {
        self.writes_only = yes;
        self
    }

    pub fn stats_file(mut self, path: impl Into<PathBuf>) -> Config {
        self.stats_file = Some(path.into());
        self
    }

    /// Whether `service`'s requests may get faults.
    pub fn faults_apply_to(&self, service: &str) -> bool {
        if service == "sts" && !self.fault_sts {
            return false;
        }
        self.only_services.is_empty() || self.only_services.iter().any(|s| s == service)
    }
}

/// `host:port` of an upstream given as a URL or an authority.
pub fn upstream_authority(upstream: &str) -> String {
    let rest = upstream
        .strip_prefix("http://")
        .unwrap_or(upstream)
        .trim_end_matches('/');
    let authority = rest.split('/').next().unwrap_or(rest);
    if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    }
}

/// A snapshot of the counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests received, by (service, operation); every attempt counts.
    pub by_operation: BTreeMap<Operation, u64>,
    /// Requests by outcome: `forwarded`, `throttled`, `error500`,
    /// `reset_before`, `reset_after`, `upstream_error`.
    pub by_outcome: BTreeMap<String, u64>,
    /// Injected faults by operation and outcome.
    pub faults_by_operation: BTreeMap<(Operation, String), u64>,
}

impl Stats {
    pub fn total(&self) -> u64 {
        self.by_operation.values().sum()
    }

    /// Requests of one operation.
    pub fn count(&self, service: &str, operation: &str) -> u64 {
        self.by_operation
            .get(&Operation::new(service, operation))
            .copied()
            .unwrap_or(0)
    }

    /// Requests to one service.
    pub fn service_total(&self, service: &str) -> u64 {
        self.by_operation
            .iter()
            .filter(|(op, _)| op.service == service)
            .map(|(_, n)| n)
            .sum()
    }

    /// The write operations seen (Put*, Delete*, Set*, ...) and their counts.
    pub fn writes(&self) -> BTreeMap<Operation, u64> {
        self.by_operation
            .iter()
            .filter(|(op, _)| op.is_write())
            .map(|(op, n)| (op.clone(), *n))
            .collect()
    }

    pub fn outcome(&self, outcome: &str) -> u64 {
        self.by_outcome.get(outcome).copied().unwrap_or(0)
    }

    /// Requests that got an injected fault.
    pub fn faults(&self) -> u64 {
        self.by_outcome
            .iter()
            .filter(|(k, _)| k.as_str() != "forwarded" && k.as_str() != "upstream_error")
            .map(|(_, n)| n)
            .sum()
    }

    /// `{"total": n, "by_operation": {"s3:GetBucketPolicy": n, ...},
    /// "by_outcome": {...}, "faults_by_operation": {"s3:PutBucketPolicy":
    /// {"throttled": n}}}`
    pub fn to_json(&self) -> String {
        fn object<'a>(entries: impl Iterator<Item = (String, String)> + 'a) -> String {
            let body: Vec<String> = entries
                .map(|(k, v)| format!("{}: {v}", json_string(&k)))
                .collect();
            format!("{{{}}}", body.join(", "))
        }
        let by_operation = object(
            self.by_operation
                .iter()
                .map(|(op, n)| (op.to_string(), n.to_string())),
        );
        let by_outcome = object(
            self.by_outcome
                .iter()
                .map(|(k, n)| (k.clone(), n.to_string())),
        );
        let mut faults: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for ((op, outcome), n) in &self.faults_by_operation {
            faults
                .entry(op.to_string())
                .or_default()
                .push((outcome.clone(), n.to_string()));
        }
        let faults = object(
            faults
                .into_iter()
                .map(|(op, entries)| (op, object(entries.into_iter()))),
        );
        format!(
            "{{\"total\": {}, \"by_operation\": {by_operation}, \"by_outcome\": {by_outcome}, \
             \"faults_by_operation\": {faults}}}\n",
            self.total()
        )
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// State shared by the proxy's tasks and its handle.
pub(crate) struct Shared {
    config: RwLock<Config>,
    rng: Mutex<SplitMix64>,
    stats: Mutex<Stats>,
    next_id: AtomicU64,
    /// For `max_rate`: requests that may still pass (a bucket holding one
    /// second's worth) and when it was last refilled.
    allowance: Mutex<(f64, Instant)>,
}

impl Shared {
    fn new(config: Config) -> Shared {
        Shared {
            rng: Mutex::new(SplitMix64::new(config.seed)),
            allowance: Mutex::new((config.max_rate.unwrap_or(0.0), Instant::now())),
            config: RwLock::new(config),
            stats: Mutex::new(Stats::default()),
            next_id: AtomicU64::new(1),
        }
    }

    pub(crate) fn config(&self) -> Config {
        self.config
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Counts the request and draws its fault.
    pub(crate) fn admit(&self, op: &Operation, config: &Config) -> Fault {
        {
            let mut stats = self.stats.lock().unwrap_or_else(|e| e.into_inner());
            *stats.by_operation.entry(op.clone()).or_insert(0) += 1;
        }
        if !config.faults_apply_to(&op.service) || (config.writes_only && !op.is_write()) {
            return Fault::None;
        }
        if let Some(rate) = config.max_rate {
            let mut allowance = self.allowance.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            let (left, since) = *allowance;
            let left = (left + now.duration_since(since).as_secs_f64() * rate).min(rate);
            if left < 1.0 {
                *allowance = (left, now);
                return Fault::Throttle;
            }
            *allowance = (left - 1.0, now);
        }
        if config.rates.is_none() {
            return Fault::None;
        }
        let draw = self
            .rng
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .next_f64();
        config.rates.pick(draw)
    }

    pub(crate) fn record(&self, op: &Operation, outcome: &str, injected: bool) {
        let mut stats = self.stats.lock().unwrap_or_else(|e| e.into_inner());
        *stats.by_outcome.entry(outcome.to_string()).or_insert(0) += 1;
        if injected {
            *stats
                .faults_by_operation
                .entry((op.clone(), outcome.to_string()))
                .or_insert(0) += 1;
        }
    }

    pub(crate) fn stats(&self) -> Stats {
        self.stats.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn request_id(&self) -> String {
        format!(
            "FAULTPROXY{:08}",
            self.next_id.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// Writes the counters to the stats file, if one is configured.
    pub(crate) fn dump(&self) {
        if let Some(path) = self.config().stats_file {
            let json = self.stats().to_json();
            let tmp = path.with_extension("tmp");
            if std::fs::write(&tmp, json).is_ok() {
                let _ = std::fs::rename(&tmp, &path);
            }
        }
    }
}

/// A running proxy; dropping it stops it (and writes the stats file).
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::watch::Sender<bool>>,
    thread: Option<JoinHandle<()>>,
}

impl FaultProxy {
    /// Binds `config.listen` and serves on a thread of its own.
    pub fn start(config: Config) -> std::io::Result<FaultProxy> {
        let listener = std::net::TcpListener::bind(config.listen)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(config));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fault-proxy")
            .enable_all()
            .build()?;
        let (tx, rx) = tokio::sync::watch::channel(false);
        let task_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name("fault-proxy".into())
            .spawn(move || {
                runtime.block_on(http::serve(listener, task_shared, rx));
                runtime.shutdown_timeout(Duration::from_secs(1));
            })?;
        Ok(FaultProxy {
            addr,
            shared,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, for AWS_ENDPOINT_URL.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    pub fn reset_stats(&self) {
        *self.shared.stats.lock().unwrap_or_else(|e| e.into_inner()) = Stats::default();
    }

    pub fn config(&self) -> Config {
        self.shared.config()
    }

    /// Replaces the configuration for the following requests and restarts
    /// the PRNG from the new seed. (`listen` is ignored: the port stays.)
    pub fn set_config(&self, config: Config) {
        *self.shared.rng.lock().unwrap_or_else(|e| e.into_inner()) = SplitMix64::new(config.seed);
        *self
            .shared
            .config
            .write()
            .unwrap_or_else(|e| e.into_inner()) = config;
    }

    /// Changes only the fault rates.
    pub fn set_rates(&self, rates: FaultRates) {
        let mut config = self.config();
        config.rates = rates;
        self.set_config(config);
    }

    /// Writes the stats file now (if configured).
    pub fn dump_stats(&self) {
        self.shared.dump();
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.shared.dump();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_forms() {
        assert_eq!(
            upstream_authority("http://127.0.0.1:5000/"),
            "127.0.0.1:5000"
        );
        assert_eq!(upstream_authority("127.0.0.1:5000"), "127.0.0.1:5000");
        assert_eq!(upstream_authority("http://localhost"), "localhost:80");
    }

    #[test]
    fn sts_is_spared_by_default() {
        let c = Config::new("x:1");
        assert!(c.faults_apply_to("s3"));
        assert!(!c.faults_apply_to("sts"));
        assert!(c.clone().fault_sts(true).faults_apply_to("sts"));
        let only = c.only(&["s3"]);
        assert!(only.faults_apply_to("s3"));
        assert!(!only.faults_apply_to("sns"));
    }

    #[test]
    fn a_max_rate_throttles_the_requests_beyond_it() {
        let config = Config::new("x:1").max_rate(10.0);
        let shared = Shared::new(config.clone());
        let read = Operation::new("s3", "GetBucketPolicy");
        let passed = |n| {
            (0..n)
                .filter(|_| shared.admit(&read, &config) == Fault::None)
                .count()
        };
        // One second's worth passes; the rest of a burst is throttled.
        let burst = passed(100);
        assert!((10..=11).contains(&burst), "{burst} of 100 passed");
        // The allowance refills with time, never beyond one second's worth.
        std::thread::sleep(Duration::from_millis(300));
        let later = passed(100);
        assert!((3..=10).contains(&later), "{later} of 100 passed");
        // Without a limit nothing is throttled.
        let open = Config::new("x:1");
        let unlimited = Shared::new(open.clone());
        assert!((0..100).all(|_| unlimited.admit(&read, &open) == Fault::None));
    }

    #[test]
    fn stats_json() {
        let mut s = Stats::default();
        s.by_operation
            .insert(Operation::new("s3", "GetBucketPolicy"), 3);
        s.by_operation
            .insert(Operation::new("s3", "PutBucketPolicy"), 1);
        s.by_outcome.insert("forwarded".into(), 3);
        s.by_outcome.insert("throttled".into(), 1);
        s.faults_by_operation.insert(
            (Operation::new("s3", "PutBucketPolicy"), "throttled".into()),
            1,
        );
        assert_eq!(s.total(), 4);
        assert_eq!(s.faults(), 1);
        assert_eq!(s.writes().len(), 1);
        assert_eq!(
            s.to_json(),
            "{\"total\": 4, \"by_operation\": {\"s3:GetBucketPolicy\": 3, \"s3:PutBucketPolicy\": 1}, \
             \"by_outcome\": {\"forwarded\": 3, \"throttled\": 1}, \
             \"faults_by_operation\": {\"s3:PutBucketPolicy\": {\"throttled\": 1}}}\n"
        );
    }
}
