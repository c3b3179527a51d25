//! `xacct-fault-proxy`: the fault-injecting proxy as a program.
//!
//! Prints its listening address (`127.0.0.1:PORT`) as the first line on
//! stdout, serves until SIGTERM or SIGINT, then writes its counters as JSON to
//! `--stats-file` (also written on every `GET /__proxy/stats`).

use std::process::ExitCode;

use xacct_fault_proxy::{Config, FaultProxy};

const USAGE: &str = "\
usage: xacct-fault-proxy --upstream http://127.0.0.1:PORT [options]

  --listen ADDR         where to listen (default 127.0.0.1:0: a free port)
  --latency-ms N        added to every request (default 0)
  --throttle P          probability of the service's throttling error
                        (S3 503 SlowDown, SNS/STS 400 Throttling,
                        CloudTrail 400 ThrottlingException)
  --error500 P          probability of a 500 InternalError
  --reset P             probability of a connection reset, half before
                        forwarding and half after (unknown outcome)
  --reset-before P      probability of a reset before forwarding
  --reset-after P       probability of a reset after forwarding
  --max-rate R          throttle (as --throttle does) the requests beyond R a
                        second, counted over the requests faults apply to
                        (--only, --writes-only, --fault-sts): throttling that
                        follows the client's load, as AWS's rate limits do
  --seed N              PRNG seed (default 0)
  --fault-sts           inject faults into STS requests too (default: no)
  --writes-only         inject faults only into write operations (Put*, Delete*, Set*, ...)
  --only S1,S2          inject faults only into these services (s3, sns, cloudtrail, sts)
  --stats-file PATH     write the counters as JSON here on exit and on
                        GET /__proxy/stats
";

fn parse(args: &[String]) -> Result<Config, String> {
    let mut config: Option<Config> = None;
    let mut pending: Vec<(String, String)> = Vec::new();
    let mut fault_sts = false;
    let mut writes_only = false;
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (flag, None),
        };
        match name {
            "-h" | "--help" => return Err(String::new()),
            "--fault-sts" => fault_sts = true,
            "--writes-only" => writes_only = true,
            "--upstream" | "--listen" | "--latency-ms" | "--throttle" | "--error500"
            | "--reset" | "--reset-before" | "--reset-after" | "--seed" | "--only"
            | "--max-rate" | "--stats-file" => {
                let value = match inline {
                    Some(v) => v,
                    None => {
                        i += 1;
                        args.get(i)
                            .cloned()
                            .ok_or_else(|| format!("{name} needs a value"))?
                    }
                };
                if name == "--upstream" {
                    config = Some(Config::new(&value));
                } else {
                    pending.push((name.to_string(), value));
                }
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
        i += 1;
    }
    let mut config = config.ok_or("--upstream is required")?;
    config.fault_sts = fault_sts;
    config.writes_only = writes_only;
    let prob = |name: &str, v: &str| -> Result<f64, String> {
        match v.parse::<f64>() {
            Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
            _ => Err(format!("{name}: `{v}` is not a probability in [0, 1]")),
        }
    };
    for (name, value) in pending {
        match name.as_str() {
            "--listen" => {
                config.listen = value
                    .parse()
                    .map_err(|_| format!("--listen: `{value}` is not an address"))?
            }
            "--latency-ms" => {
                config.latency = std::time::Duration::from_millis(
                    value
                        .parse()
                        .map_err(|_| format!("--latency-ms: `{value}` is not a number"))?,
                )
            }
            "--throttle" => config.rates.throttle = prob(&name, &value)?,
            "--error500" => config.rates.error500 = prob(&name, &value)?,
            "--reset" => {
                let p = prob(&name, &value)?;
                config.rates.reset_before = p / 2.0;
                config.rates.reset_after = p / 2.0;
            }
            "--reset-before" => config.rates.reset_before = prob(&name, &value)?,
            "--reset-after" => config.rates.reset_after = prob(&name, &value)?,
            "--seed" => {
                config.seed = value
                    .parse()
                    .map_err(|_| format!("--seed: `{value}` is not a number"))?
            }
            "--only" => {
                config.only_services = value
                    .split(',')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect()
            }
            "--stats-file" => config.stats_file = Some(value.into()),
            "--max-rate" => match value.parse::<f64>() {
                Ok(rate) if rate > 0.0 && rate.is_finite() => config.max_rate = Some(rate),
                _ => return Err(format!("--max-rate: `{value}` is not a positive rate")),
            },
            _ => unreachable!("flag list above"),
        }
    }
    let r = config.rates;
    if r.throttle + r.error500 + r.reset_before + r.reset_after > 1.0 + 1e-9 {
        return Err("the fault probabilities add up to more than 1".into());
    }
    Ok(config)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse(&args) {
        Ok(c) => c,
        Err(e) if e.is_empty() => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("xacct-fault-proxy: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let proxy = match FaultProxy::start(config) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("xacct-fault-proxy: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", proxy.addr());
    use std::io::Write;
    let _ = std::io::stdout().flush();

    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("xacct-fault-proxy: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    });
    // Dropping the proxy stops it and writes the stats file.
    drop(proxy);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn flags() {
        let c = parse(&args(
            "--upstream http://127.0.0.1:5000 --latency-ms 20 --throttle 0.15 --error500=0.05 \
             --reset 0.04 --seed 9 --only s3,sns --stats-file /tmp/x.json --fault-sts --writes-only --max-rate 250",
        ))
        .unwrap();
        assert_eq!(c.upstream, "127.0.0.1:5000");
        assert_eq!(c.latency.as_millis(), 20);
        assert_eq!(c.rates.throttle, 0.15);
        assert_eq!(c.rates.error500, 0.05);
        assert_eq!(c.rates.reset_before, 0.02);
        assert_eq!(c.rates.reset_after, 0.02);
        assert_eq!(c.seed, 9);
        assert_eq!(c.only_services, ["s3", "sns"]);
        assert!(c.fault_sts);
        assert!(c.writes_only);
        assert!(c.stats_file.is_some());
        assert_eq!(c.max_rate, Some(250.0));
        assert!(parse(&args("--upstream x:1 --max-rate 0")).is_err());
        assert!(parse(&args("--latency-ms 5")).is_err());
        assert!(parse(&args("--upstream x:1 --throttle 2")).is_err());
        assert!(parse(&args("--upstream x:1 --throttle 0.6 --error500 0.6")).is_err());
        assert!(parse(&args("--upstream x:1 --bogus")).is_err());
    }
}
