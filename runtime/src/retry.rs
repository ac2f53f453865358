//! When and how long to wait before trying a request again.

use std::time::{Duration, SystemTime};

/// Which failures are retried, how often, and how long to wait in between.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Response statuses that are retried. Connection errors and timeouts always are.
    pub statuses: Vec<u16>,
    /// Retries after the first attempt; a request is sent at most `max_retries + 1` times.
    pub max_retries: u32,
    /// The n-th retry waits about `backoff_factor * 2^(n-1)` seconds.
    pub backoff_factor: f64,
    /// No wait is longer than this, including one asked for by `Retry-After`.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// dlt's behaviour: 429 and every 5xx, 4 retries, factor 1, at most 300 s.
    fn default() -> Self {
        RetryPolicy {
            statuses: std::iter::once(429).chain(500..600).collect(),
            max_retries: 4,
            backoff_factor: 1.0,
            max_delay: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    pub(crate) fn retries_status(&self, status: u16) -> bool {
        self.statuses.contains(&status)
    }

    /// The wait before retry number `retry` (1-based).
    ///
    /// A `Retry-After` header (seconds or an HTTP date) wins when it asks for a positive
    /// wait; it is capped at `max_delay`. Otherwise the wait is exponential with "equal
    /// jitter": half of it fixed, half random, so that many clients that failed together
    /// do not all come back at the same instant.
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<&str>) -> Duration {
        if let Some(wait) = retry_after.and_then(parse_retry_after) {
            if !wait.is_zero() {
                return wait.min(self.max_delay);
            }
        }
        let exponent = retry.saturating_sub(1).min(62) as i32;
        let full = (self.backoff_factor * 2f64.powi(exponent)).max(0.0);
        let capped = full.min(self.max_delay.as_secs_f64());
        Duration::from_secs_f64(capped / 2.0 + fastrand::f64() * capped / 2.0)
    }
}

/// `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds > 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    at.duration_since(SystemTime::now()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            statuses: vec![429, 503],
            max_retries: 3,
            backoff_factor: 2.0,
            max_delay: Duration::from_secs(10),
        }
    }

    #[test]
    fn exponential_wait_with_jitter_stays_in_its_band() {
        let policy = policy();
        for _ in 0..100 {
            let first = policy.delay(1, None).as_secs_f64();
            assert!((1.0..=2.0).contains(&first), "{first}");
            let third = policy.delay(3, None).as_secs_f64();
            assert!((4.0..=8.0).contains(&third), "{third}");
            // 2 * 2^4 = 32 s is capped at 10 s.
            let fifth = policy.delay(5, None).as_secs_f64();
            assert!((5.0..=10.0).contains(&fifth), "{fifth}");
        }
    }

    #[test]
    fn retry_after_seconds_and_dates_are_honoured_and_capped() {
        let policy = policy();
        assert_eq!(policy.delay(1, Some("3")), Duration::from_secs(3));
        assert_eq!(policy.delay(1, Some("3600")), Duration::from_secs(10));
        let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(6));
        let wait = policy.delay(1, Some(&soon)).as_secs_f64();
        assert!((4.0..=6.0).contains(&wait), "{wait}");
        // Zero, negative, past dates and garbage fall back to the exponential wait.
        for value in ["0", "-5", "Wed, 21 Oct 2015 07:28:00 GMT", "soon"] {
            let wait = policy.delay(1, Some(value)).as_secs_f64();
            assert!((1.0..=2.0).contains(&wait), "{value}: {wait}");
        }
    }
}
