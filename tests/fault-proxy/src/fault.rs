//! The fault plan: a seeded PRNG, the per-request choice of fault, and each
//! service's own error responses.

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, seedable, good enough to pick
/// faults reproducibly.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What the proxy does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// Forward it and relay the answer.
    None,
    /// Answer with the service's own throttling error without forwarding.
    Throttle,
    /// Answer 500 InternalError without forwarding.
    InternalError,
    /// Close the client connection abruptly (RST) without forwarding.
    ResetBefore,
    /// Forward it, read the whole upstream answer, then reset the client
    /// connection instead of answering: the write landed, the client cannot
    /// know ("unknown outcome").
    ResetAfter,
}

impl Fault {
    /// The outcome name in the counters.
    pub fn outcome(self) -> &'static str {
        match self {
            Fault::None => "forwarded",
            Fault::Throttle => "throttled",
            Fault::InternalError => "error500",
            Fault::ResetBefore => "reset_before",
            Fault::ResetAfter => "reset_after",
        }
    }
}

/// Probabilities (each in [0, 1]) of the faults; their sum should be <= 1.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FaultRates {
    pub throttle: f64,
    pub error500: f64,
    pub reset_before: f64,
    pub reset_after: f64,
}

impl FaultRates {
    pub fn none() -> FaultRates {
        FaultRates::default()
    }

    /// `reset` split evenly between resets before and after forwarding.
    pub fn new(throttle: f64, error500: f64, reset: f64) -> FaultRates {
        FaultRates {
            throttle,
            error500,
            reset_before: reset / 2.0,
            reset_after: reset / 2.0,
        }
    }

    pub fn is_none(&self) -> bool {
        self.throttle <= 0.0
            && self.error500 <= 0.0
            && self.reset_before <= 0.0
            && self.reset_after <= 0.0
    }

    /// The fault for a uniform draw in [0, 1): consecutive intervals of the
    /// line, in the order throttle, 500, reset before, reset after.
    pub fn pick(&self, draw: f64) -> Fault {
        let mut edge = 0.0;
        for (p, fault) in [
            (self.throttle, Fault::Throttle),
            (self.error500, Fault::InternalError),
            (self.reset_before, Fault::ResetBefore),
            (self.reset_after, Fault::ResetAfter),
        ] {
            edge += p.max(0.0);
            if draw < edge {
                return fault;
            }
        }
        Fault::None
    }
}

/// A canned HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Canned {
    pub status: u16,
    pub reason: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Canned {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 {} {}\r\n", self.status, self.reason);
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str(&format!("Content-Length: {}\r\n\r\n", self.body.len()));
        out.push_str(&self.body);
        out.into_bytes()
    }
}

/// The error `service` itself answers with for a throttle or a 500.
/// S3: REST-XML `<Error>` (503 SlowDown, 500 InternalError); SNS and STS:
/// query-protocol `<ErrorResponse>` (400 Throttling, 500 InternalError);
/// CloudTrail and other JSON services: `{"__type": ...}` with
/// `x-amzn-errortype` (400 ThrottlingException, 500 InternalFailure).
pub fn error_response(service: &str, fault: Fault, request_id: &str) -> Option<Canned> {
    let throttle = match fault {
        Fault::Throttle => true,
        Fault::InternalError => false,
        _ => return None,
    };
    let rid = request_id.to_string();
    let canned = match service {
        "s3" => {
            let (status, reason, code, message) = if throttle {
                (
                    503,
                    "Slow Down",
                    "SlowDown",
                    "Please reduce your request rate.",
                )
            } else {
                (
                    500,
                    "Internal Server Error",
                    "InternalError",
                    "We encountered an internal error. Please try again.",
                )
            };
            Canned {
                status,
                reason,
                headers: vec![
                    ("Content-Type".into(), "application/xml".into()),
                    ("x-amz-request-id".into(), rid.clone()),
                ],
                body: format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
                     <Message>{message}</Message><RequestId>{rid}</RequestId></Error>"
                ),
            }
        }
        "sns" | "sts" | "iam" | "sqs" => {
            let xmlns = match service {
                "sts" => "https://sts.amazonaws.com/doc/2011-06-15/",
                "sns" => "http://sns.amazonaws.com/doc/2010-03-31/",
                _ => "https://amazonaws.com/doc/",
            };
            let (status, reason, kind, code, message) = if throttle {
                (400, "Bad Request", "Sender", "Throttling", "Rate exceeded")
            } else {
                (
                    500,
                    "Internal Server Error",
                    "Receiver",
                    "InternalError",
                    "An internal error occurred.",
                )
            };
            Canned {
                status,
                reason,
                headers: vec![
                    ("Content-Type".into(), "text/xml".into()),
                    ("x-amzn-RequestId".into(), rid.clone()),
                ],
                body: format!(
                    "<ErrorResponse xmlns=\"{xmlns}\"><Error><Type>{kind}</Type><Code>{code}</Code>\
                     <Message>{message}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>"
                ),
            }
        }
        _ => {
            let (status, reason, code, message) = if throttle {
                (400, "Bad Request", "ThrottlingException", "Rate exceeded")
            } else {
                (
                    500,
                    "Internal Server Error",
                    "InternalFailure",
                    "An internal error occurred.",
                )
            };
            Canned {
                status,
                reason,
                headers: vec![
                    ("Content-Type".into(), "application/x-amz-json-1.1".into()),
                    ("x-amzn-RequestId".into(), rid),
                    ("x-amzn-errortype".into(), format!("{code}:")),
                ],
                body: format!("{{\"__type\":\"{code}\",\"message\":\"{message}\"}}"),
            }
        }
    };
    Some(canned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_reproducible_and_seed_dependent() {
        let a: Vec<u64> = {
            let mut r = SplitMix64::new(42);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = SplitMix64::new(42);
            (0..5).map(|_| r.next_u64()).collect()
        };
        let c: Vec<u64> = {
            let mut r = SplitMix64::new(43);
            (0..5).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
        // Reference value of SplitMix64 seeded with 0.
        assert_eq!(SplitMix64::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn draws_are_uniform_in_unit_interval() {
        let mut r = SplitMix64::new(7);
        let n = 100_000;
        let mut sum = 0.0;
        let mut buckets = [0u32; 10];
        for _ in 0..n {
            let x = r.next_f64();
            assert!((0.0..1.0).contains(&x));
            sum += x;
            buckets[(x * 10.0) as usize] += 1;
        }
        assert!((sum / n as f64 - 0.5).abs() < 0.01);
        for b in buckets {
            assert!((9_000..11_000).contains(&b), "{buckets:?}");
        }
    }

    #[test]
    fn pick_follows_the_rates() {
        let rates = FaultRates::new(0.15, 0.05, 0.03);
        assert_eq!(rates.pick(0.0), Fault::Throttle);
        assert_eq!(rates.pick(0.1499), Fault::Throttle);
        assert_eq!(rates.pick(0.15), Fault::InternalError);
        assert_eq!(rates.pick(0.1999), Fault::InternalError);
        assert_eq!(rates.pick(0.2), Fault::ResetBefore);
        assert_eq!(rates.pick(0.2149), Fault::ResetBefore);
        assert_eq!(rates.pick(0.2151), Fault::ResetAfter);
        assert_eq!(rates.pick(0.2301), Fault::None);
        assert_eq!(rates.pick(0.999), Fault::None);
        assert_eq!(FaultRates::none().pick(0.0), Fault::None);
        assert_eq!(FaultRates::new(1.0, 0.0, 0.0).pick(0.9999), Fault::Throttle);

        let mut r = SplitMix64::new(1);
        let n = 200_000;
        let mut counts = std::collections::HashMap::new();
        for _ in 0..n {
            *counts.entry(rates.pick(r.next_f64())).or_insert(0u32) += 1;
        }
        let share = |f: Fault| f64::from(counts.get(&f).copied().unwrap_or(0)) / n as f64;
        assert!((share(Fault::Throttle) - 0.15).abs() < 0.005);
        assert!((share(Fault::InternalError) - 0.05).abs() < 0.005);
        assert!((share(Fault::ResetBefore) - 0.015).abs() < 0.003);
        assert!((share(Fault::ResetAfter) - 0.015).abs() < 0.003);
        assert!((share(Fault::None) - 0.77).abs() < 0.005);
    }

    #[test]
    fn each_service_throttles_in_its_own_words() {
        let s3 = error_response("s3", Fault::Throttle, "r1").unwrap();
        assert_eq!(s3.status, 503);
        assert!(s3.body.contains("<Code>SlowDown</Code>"));
        let sns = error_response("sns", Fault::Throttle, "r1").unwrap();
        assert_eq!(sns.status, 400);
        assert!(sns
            .body
            .contains("<Type>Sender</Type><Code>Throttling</Code>"));
        let sts = error_response("sts", Fault::Throttle, "r1").unwrap();
        assert!(sts.body.contains("<Code>Throttling</Code>"));
        let ct = error_response("cloudtrail", Fault::Throttle, "r1").unwrap();
        assert_eq!(ct.status, 400);
        assert!(ct.body.contains("\"__type\":\"ThrottlingException\""));
        assert!(ct
            .headers
            .iter()
            .any(|(k, v)| k == "x-amzn-errortype" && v.starts_with("ThrottlingException")));
        let s3_500 = error_response("s3", Fault::InternalError, "r1").unwrap();
        assert_eq!(s3_500.status, 500);
        assert!(s3_500.body.contains("<Code>InternalError</Code>"));
        assert!(error_response("s3", Fault::ResetBefore, "r").is_none());
        let bytes = String::from_utf8(s3.to_bytes()).unwrap();
        assert!(bytes.starts_with("HTTP/1.1 503 Slow Down\r\n"));
        assert!(bytes.contains(&format!("Content-Length: {}\r\n\r\n", s3.body.len())));
    }
}
