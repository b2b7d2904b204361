//! How failed requests are tried again: an option of every build, whether or not it has the
//! HTTP client.

use std::time::Duration;

/// How failed requests are tried again. Connection failures and resets, timeouts, bodies cut
/// short, and statuses 408, 429, 500, 502, 503 and 504 are retried; anything else fails at
/// once (a 404 does not pass by waiting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests made for one document at most, the first included.
    pub attempts: usize,
    /// The wait before the first retry; each next wait doubles.
    pub first_delay: Duration,
    /// The longest wait of the back-off, before jitter (which adds up to as much again).
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a server asking for more gets this.
    pub retry_after_cap: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, waits from 0.5 s doubling up to 4 s (8 s with jitter), `Retry-After`
    /// honoured up to 60 s.
    fn default() -> RetryPolicy {
        RetryPolicy {
            attempts: 4,
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(4),
            retry_after_cap: Duration::from_secs(60),
        }
    }
}
