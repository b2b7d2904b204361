//! One document over HTTP: a GET that follows redirects only within its host, reads at most
//! a set number of bytes, refuses what is not served as JSON, and is tried again (with
//! back-off, honouring `Retry-After` up to a cap) when the failure is one that passes.
//!
//! Only in the build with the `network` feature: `cargo xtask codegen` never compiles the HTTP
//! client and its TLS stack, and `cargo xtask fetch` runs the build that has them.

use std::cell::{Cell, RefCell};
use std::io::Read;
use std::rc::Rc;
use std::time::{Duration, Instant, SystemTime};

use backon::{BlockingRetryable, ExponentialBuilder};
use url::Url;

use super::hosts::is_allowed_scheme;
use super::retry::RetryPolicy;
use super::{Fault, FetchOptions};

/// Redirects followed for one document, all within its host.
const MAX_REDIRECTS: usize = 5;

/// The HTTP client of one fetch: its agent, retry policy and deadline.
pub(super) struct Client {
    agent: ureq::Agent,
    retry: RetryPolicy,
    /// The most one request may take, however slowly its bytes come.
    request_limit: Duration,
    deadline: Instant,
}

/// One failed attempt: the fault, whether another attempt may succeed, and how long the
/// server asked to wait.
struct Failure {
    fault: Fault,
    transient: bool,
    retry_after: Option<Duration>,
}

impl Failure {
    fn permanent(fault: Fault) -> Box<Failure> {
        Box::new(Failure { fault, transient: false, retry_after: None })
    }

    fn transient(fault: Fault) -> Box<Failure> {
        Box::new(Failure { fault, transient: true, retry_after: None })
    }
}

impl Client {
    pub(super) fn new(options: &FetchOptions) -> Client {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(options.timeout)
            .timeout_read(options.timeout)
            .timeout_write(options.timeout)
            .redirects(0)
            .build();
        Client {
            agent,
            retry: options.retry,
            // A server that sends a byte just before each read times out still ends.
            request_limit: options.timeout.saturating_mul(4),
            deadline: Instant::now() + options.deadline,
        }
    }

    /// GETs `url` (retrying what may pass): the URL the bytes finally came from, and the bytes.
    pub(super) fn download(&self, url: Url, max_bytes: u64) -> Result<(Url, Vec<u8>), Fault> {
        let attempts = Cell::new(0_usize);
        // How long the last failure asked to wait: `notify` sees the failure, the sleeper
        // (which must own what it uses) only the back-off's delay.
        let asked_wait = Rc::new(Cell::new(None::<Duration>));
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.retry.first_delay)
            .with_max_delay(self.retry.max_delay)
            .with_max_times(self.retry.attempts.saturating_sub(1))
            .with_jitter();
        // The fault of the last attempt, for the message when the deadline ends the retries.
        let last_fault = RefCell::new(None::<Fault>);
        let attempt = || {
            let left = self.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let last = last_fault
                    .borrow()
                    .as_ref()
                    .map(|fault| format!("; the last attempt: {fault}"))
                    .unwrap_or_default();
                return Err(Failure::permanent(Fault::Limit {
                    message: format!("GET {url}: the fetch reached its deadline{last}"),
                }));
            }
            attempts.set(attempts.get() + 1);
            self.get_once(&url, max_bytes, left.min(self.request_limit))
        };
        let (cap, deadline) = (self.retry.retry_after_cap, self.deadline);
        let sleeper_wait = Rc::clone(&asked_wait);
        let result = attempt
            .retry(backoff)
            .when(|failure| failure.transient && Instant::now() < deadline)
            .notify(|failure, _| {
                asked_wait.set(failure.retry_after.map(|wait| wait.min(cap)));
                last_fault.replace(Some(failure.fault.clone()));
            })
            .sleep(move |backoff: Duration| {
                let wait = sleeper_wait.take().map_or(backoff, |asked| asked.max(backoff));
                std::thread::sleep(wait.min(deadline.saturating_duration_since(Instant::now())));
            })
            .call();
        result.map_err(|failure| match attempts.get() {
            0 | 1 => failure.fault,
            attempts => Fault::Retried { attempts, last: Box::new(failure.fault) },
        })
    }

    /// One GET of `url`, following same-host redirects.
    fn get_once(&self, start: &Url, max_bytes: u64, limit: Duration) -> Result<(Url, Vec<u8>), Box<Failure>> {
        let mut url = start.clone();
        for _ in 0..=MAX_REDIRECTS {
            let response = match self.agent.get(url.as_str()).timeout(limit).call() {
                Ok(response) => response,
                Err(ureq::Error::Status(status, response)) => {
                    let fault = Fault::Status { url: url.to_string(), status };
                    return Err(match status {
                        408 | 429 | 500 | 502 | 503 | 504 => {
                            Box::new(Failure { fault, transient: true, retry_after: retry_after(&response) })
                        }
                        _ => Failure::permanent(fault),
                    });
                }
                Err(ureq::Error::Transport(transport)) => {
                    let fault = Fault::Transport { url: url.to_string(), message: transport_message(&transport) };
                    return Err(match transport.kind() {
                        ureq::ErrorKind::ConnectionFailed | ureq::ErrorKind::Io => Failure::transient(fault),
                        _ => Failure::permanent(fault),
                    });
                }
            };
            if (300..400).contains(&response.status()) {
                url = redirect_target(&url, &response).map_err(Failure::permanent)?;
                continue;
            }
            if response.status() != 200 {
                return Err(Failure::permanent(Fault::Status { url: url.to_string(), status: response.status() }));
            }
            check_content_type(&url, &response).map_err(Failure::permanent)?;
            let bytes = read_body(&url, response, max_bytes)?;
            return Ok((url, bytes));
        }
        Err(Failure::permanent(Fault::TooManyRedirects { url: url.to_string(), max: MAX_REDIRECTS }))
    }
}

/// Where a redirect leads, when it stays on the host (and its port) and on an allowed scheme.
fn redirect_target(url: &Url, response: &ureq::Response) -> Result<Url, Fault> {
    let Some(location) = response.header("location") else {
        return Err(Fault::Transport {
            url: url.to_string(),
            message: format!("status {} without a Location header", response.status()),
        });
    };
    let next = url.join(location).map_err(|error| Fault::Transport {
        url: url.to_string(),
        message: format!("redirect to `{location}`: {error}"),
    })?;
    if next.host() != url.host()
        || next.port_or_known_default() != url.port_or_known_default()
        || !is_allowed_scheme(&next)
    {
        return Err(Fault::OffHostRedirect { url: url.to_string(), location: next.to_string() });
    }
    Ok(next)
}

/// A schema must be served as JSON (`application/json`, `application/schema+json`, any
/// `+json` type) or as plain text or bytes, as raw file hosts serve files; `text/html` and
/// other types are error pages, portals or the wrong thing. A response without the header is
/// judged by its bytes.
fn check_content_type(url: &Url, response: &ureq::Response) -> Result<(), Fault> {
    let Some(header) = response.header("content-type") else { return Ok(()) };
    let media_type = header.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let accepted = media_type == "application/json"
        || media_type == "text/json"
        || media_type == "text/plain"
        || media_type == "application/octet-stream"
        || (media_type.starts_with("application/") && media_type.ends_with("+json"));
    if accepted {
        Ok(())
    } else {
        Err(Fault::ContentType { url: url.to_string(), content_type: header.trim().to_owned() })
    }
}

/// The body, at most `max_bytes` of it.
fn read_body(url: &Url, response: ureq::Response, max_bytes: u64) -> Result<Vec<u8>, Box<Failure>> {
    let announced = response.header("content-length").and_then(|length| length.parse::<u64>().ok());
    if announced.is_some_and(|length| length > max_bytes) {
        return Err(Failure::permanent(Fault::TooLarge { url: url.to_string(), limit: max_bytes }));
    }
    let mut bytes = Vec::new();
    response.into_reader().take(max_bytes.saturating_add(1)).read_to_end(&mut bytes).map_err(|error| {
        if error.kind() == std::io::ErrorKind::UnexpectedEof {
            Failure::transient(Fault::Truncated { url: url.to_string(), message: error.to_string() })
        } else {
            Failure::transient(Fault::Transport { url: url.to_string(), message: error.to_string() })
        }
    })?;
    if bytes.len() as u64 > max_bytes {
        return Err(Failure::permanent(Fault::TooLarge { url: url.to_string(), limit: max_bytes }));
    }
    Ok(bytes)
}

/// `Retry-After`: a number of seconds, or an HTTP date.
fn retry_after(response: &ureq::Response) -> Option<Duration> {
    let value = response.header("retry-after")?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or_default())
}

/// What went wrong below HTTP, without repeating the URL: the kind, then the details.
fn transport_message(transport: &ureq::Transport) -> String {
    let mut message = transport.kind().to_string();
    if let Some(detail) = transport.message() {
        message = format!("{message}: {detail}");
    }
    if let Some(source) = std::error::Error::source(transport) {
        message = format!("{message}: {source}");
    }
    message
}
