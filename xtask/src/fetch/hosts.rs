//! Which hosts a fetch may contact: those the user named, never one a downloaded document
//! names. A `$ref` is written by whoever publishes a document; following it to any host
//! would let a document make a developer's machine or CI download from, say, a cloud
//! metadata address, and vendor what came back.

use std::collections::BTreeSet;
use std::net::IpAddr;

use codegen::Manifest;
use url::{Host, Url};

use super::Fault;

/// The hosts a fetch may contact, lowercase, ports aside.
#[derive(Debug, Clone)]
pub(super) struct Hosts {
    named: BTreeSet<String>,
}

impl Hosts {
    /// The hosts of the manifest's contract ids, its `base_uri` and `registry` (or the mirror
    /// that overrides it), and its `allowed_hosts`.
    pub(super) fn named_by(manifest: &Manifest, mirror: Option<&Url>) -> Hosts {
        let contract_ids = manifest.contracts.iter().map(|contract| manifest.document_id(&contract.schema_id));
        let urls = contract_ids
            .chain(manifest.base_uri.clone())
            .chain(manifest.registry.clone())
            .chain(mirror.map(Url::to_string));
        let mut named: BTreeSet<String> =
            urls.filter_map(|url| Url::parse(&url).ok()?.host_str().map(str::to_ascii_lowercase)).collect();
        named.extend(manifest.allowed_hosts.iter().map(|host| host.to_ascii_lowercase()));
        Hosts { named }
    }

    /// `Ok` when `url`'s host is one the user named; else why not, without any connection.
    pub(super) fn check(&self, url: &Url) -> Result<(), Fault> {
        let Some(host) = url.host() else {
            return Err(Fault::ForeignHost { host: url.to_string(), reason: "the URL has no host".to_owned() });
        };
        let name = url.host_str().unwrap_or_default().to_ascii_lowercase();
        if self.named.contains(&name) {
            return Ok(());
        }
        let reason = match host {
            Host::Ipv4(address) => address_reason(IpAddr::V4(address)),
            Host::Ipv6(address) => address_reason(IpAddr::V6(address)),
            Host::Domain(_) => "the manifest does not name it".to_owned(),
        };
        Err(Fault::ForeignHost { host: name, reason })
    }
}

/// Why an IP literal is refused: what kind of address it is.
fn address_reason(address: IpAddr) -> String {
    let kind = match address {
        address if address.is_loopback() => "a loopback address",
        IpAddr::V4(v4) if v4.is_private() => "a private address",
        IpAddr::V4(v4) if v4.is_link_local() => "a link-local address (cloud metadata services live there)",
        IpAddr::V6(v6) if (v6.segments()[0] & 0xfe00) == 0xfc00 => "a private (unique local) address",
        IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80 => "a link-local address",
        address if address.is_unspecified() => "the unspecified address",
        _ => "an IP address",
    };
    format!("{kind}, which the manifest does not name")
}

/// https anywhere; http only to this machine (a mirror in tests or on a developer's laptop).
pub(super) fn is_allowed_scheme(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Ipv4(address)) => address.is_loopback(),
            Some(url::Host::Ipv6(address)) => address.is_loopback(),
            Some(url::Host::Domain(domain)) => domain == "localhost",
            None => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(extra: &str) -> Manifest {
        let text = format!(
            r#"{extra}
[[contract]]
event_type = "a.b"
version = 1
schema_id = "https://schemas.example.com/a/v1"
schema = "a.json"
source = "s"
subject_pattern = "x:<identifier>"
category = "C"
[contract.delivery]
encoding = "cloudevents-1.0-structured-json"
guarantee = "at-least-once"
idempotency_key = "k"
"#
        );
        Manifest::parse("contracts.toml", &text).expect("a valid manifest")
    }

    fn refusal(hosts: &Hosts, url: &str) -> String {
        match hosts.check(&Url::parse(url).unwrap()) {
            Err(Fault::ForeignHost { reason, .. }) => reason,
            other => panic!("{url}: expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn only_named_hosts_pass_and_addresses_say_what_they_are() {
        let hosts = Hosts::named_by(&manifest(r#"allowed_hosts = ["json.schemastore.org"]"#), None);
        for allowed in
            ["https://schemas.example.com/b/v1", "https://SCHEMAS.example.com:8443/c", "https://json.schemastore.org/x"]
        {
            assert_eq!(hosts.check(&Url::parse(allowed).unwrap()), Ok(()), "{allowed}");
        }
        assert!(refusal(&hosts, "https://evil.example/x").contains("does not name it"));
        assert!(refusal(&hosts, "http://169.254.169.254/latest/meta-data").starts_with("a link-local address"));
        assert!(refusal(&hosts, "https://10.1.2.3/x").starts_with("a private address"));
        assert!(refusal(&hosts, "https://192.168.0.10/x").starts_with("a private address"));
        assert!(refusal(&hosts, "https://127.0.0.1:8080/x").starts_with("a loopback address"));
        assert!(refusal(&hosts, "https://[::1]/x").starts_with("a loopback address"));
        assert!(refusal(&hosts, "https://[fd00::1]/x").starts_with("a private (unique local) address"));
        assert!(refusal(&hosts, "https://[fe80::1]/x").starts_with("a link-local address"));
        assert!(refusal(&hosts, "https://93.184.216.34/x").starts_with("an IP address"));
    }

    #[test]
    fn a_mirror_the_user_names_is_allowed_even_on_loopback() {
        let mirror = Url::parse("http://127.0.0.1:4000").unwrap();
        let hosts = Hosts::named_by(&manifest(""), Some(&mirror));
        assert_eq!(hosts.check(&Url::parse("http://127.0.0.1:4000/a/v1").unwrap()), Ok(()));
        let with_registry = Hosts::named_by(&manifest(r#"registry = "https://mirror.example.net""#), None);
        assert_eq!(with_registry.check(&Url::parse("https://mirror.example.net/a/v1").unwrap()), Ok(()));
    }
}
