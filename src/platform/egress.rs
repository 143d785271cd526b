//! Outgoing HTTP to addresses people type in (webhook endpoints): the SSRF guard.
//!
//! 1. The URL must be https (http only when private targets are allowed for development).
//! 2. Every address the host resolves to is checked, by a DNS resolver plugged into the HTTP
//!    client, so the address checked is the address connected to (no DNS-rebinding gap); IP
//!    literals are checked before sending. Loopback, private, shared, reserved, multicast and
//!    documentation ranges are refused, and link-local addresses (cloud metadata at
//!    169.254.169.254) are refused always, even when private targets are allowed.
//! 3. Redirects are never followed; answers time out after 15 seconds.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

pub const TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("Use an https:// address.")]
    NotHttps,
    #[error("Use a web address such as https://example.com/hooks.")]
    Malformed,
    #[error("Addresses with a user name or password are not allowed.")]
    Credentials,
    #[error("{0} is a private or reserved address; webhooks go to public addresses only.")]
    Private(IpAddr),
    #[error("{0} is a link-local address (such as cloud metadata) and is never allowed.")]
    LinkLocal(IpAddr),
    #[error("The host name {0} does not resolve.")]
    Unresolvable(String),
}

/// What the guard lets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Loopback and private ranges over http too (`VITASYNC_ALLOW_PRIVATE_WEBHOOKS`).
    pub allow_private: bool,
}

impl Policy {
    /// Checks one address.
    pub fn check_ip(self, ip: IpAddr) -> Result<(), Refused> {
        let ip = canonical(ip);
        if is_link_local(ip) {
            return Err(Refused::LinkLocal(ip));
        }
        if is_global(ip) || (self.allow_private && is_private_or_loopback(ip)) {
            Ok(())
        } else {
            Err(Refused::Private(ip))
        }
    }

    /// Checks the shape of a URL and, when its host is an IP literal (in any spelling the URL
    /// standard accepts: `2130706433`, `0x7f.1`, `[::1]`), the address itself.
    pub fn check_url(self, raw: &str) -> Result<Url, Refused> {
        let url = Url::parse(raw.trim()).map_err(|_| Refused::Malformed)?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_private => {}
            "http" => return Err(Refused::NotHttps),
            _ => return Err(Refused::Malformed),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Refused::Credentials);
        }
        match url.host() {
            Some(Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip))?,
            Some(Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip))?,
            Some(Host::Domain(d)) if !d.is_empty() => {}
            _ => return Err(Refused::Malformed),
        }
        Ok(url)
    }

    /// Checks the URL and every address its host resolves to now (for feedback when an
    /// endpoint is saved; sending checks again at connect time).
    pub async fn check_url_resolved(self, raw: &str) -> Result<Url, Refused> {
        let url = self.check_url(raw)?;
        if let Some(Host::Domain(d)) = url.host() {
            let port = url.port_or_known_default().unwrap_or(443);
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((d, port))
                .await
                .map_err(|_| Refused::Unresolvable(d.to_string()))?
                .collect();
            if addrs.is_empty() {
                return Err(Refused::Unresolvable(d.to_string()));
            }
            for a in addrs {
                self.check_ip(a.ip())?;
            }
        }
        Ok(url)
    }

    /// An HTTP client that follows no redirects, times out, and connects only to addresses
    /// this policy allows.
    pub fn client(self) -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A proxy from the environment would be the address checked instead of the target.
            .no_proxy()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .dns_resolver(Arc::new(GuardedResolver { policy: self }))
            .user_agent(concat!("VitaSync-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("the webhook HTTP client builds")
    }
}

/// Resolves with the system resolver, then drops every address the policy refuses; a host
/// left with none fails to connect.
struct GuardedResolver {
    policy: Policy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match policy.check_ip(a.ip()) {
                    Ok(()) => true,
                    Err(e) => {
                        refused = Some(e);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let why = refused.unwrap_or(Refused::Unresolvable(host));
                return Err(Box::new(why) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// IPv4-mapped and -compatible IPv6 addresses are judged as the IPv4 address they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

fn is_link_local(ip: IpAddr) -> bool {
    match ip {
        // 169.254.0.0/16, and Alibaba Cloud's metadata address 100.100.100.200 (inside the
        // shared range a developer may open).
        IpAddr::V4(v4) => v4.is_link_local() || v4 == Ipv4Addr::new(100, 100, 100, 200),
        // fe80::/10, and AWS's IPv6 metadata address fd00:ec2::254.
        IpAddr::V6(v6) => {
            (v6.segments()[0] & 0xffc0) == 0xfe80
                || v6 == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)
        }
    }
}

/// Loopback and the private ranges a developer may open with `allow_private`.
fn is_private_or_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || in_v4(v4, [100, 64, 0, 0], 10),
        IpAddr::V6(v6) => v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00,
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], bits: u32) -> bool {
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    (u32::from(ip) & mask) == (u32::from(Ipv4Addr::from(net)) & mask)
}

/// A public unicast address: none of the special-purpose ranges of RFC 6890 and its
/// successors (what the unstable `IpAddr::is_global` decides).
fn is_global(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let special: [([u8; 4], u32); 15] = [
                ([0, 0, 0, 0], 8),       // "this network"
                ([10, 0, 0, 0], 8),      // private
                ([100, 64, 0, 0], 10),   // shared (carrier-grade NAT)
                ([127, 0, 0, 0], 8),     // loopback
                ([169, 254, 0, 0], 16),  // link-local, cloud metadata
                ([172, 16, 0, 0], 12),   // private
                ([192, 0, 0, 0], 24),    // IETF protocol assignments
                ([192, 0, 2, 0], 24),    // documentation
                ([192, 88, 99, 0], 24),  // 6to4 relay anycast
                ([192, 168, 0, 0], 16),  // private
                ([198, 18, 0, 0], 15),   // benchmarking
                ([198, 51, 100, 0], 24), // documentation
                ([203, 0, 113, 0], 24),  // documentation
                ([224, 0, 0, 0], 4),     // multicast
                ([240, 0, 0, 0], 4),     // reserved, broadcast
            ];
            !special.iter().any(|(net, bits)| in_v4(v4, *net, *bits))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] == 0x64 && s[1] == 0xff9b) // NAT64 (would reach IPv4 ranges)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x2001 && s[1] < 0x200) // IETF protocol assignments
                || s[0] == 0x2002 // 6to4 (embeds any IPv4)
                || v6.to_ipv4().is_some()) // IPv4-compatible ::a.b.c.d
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: Policy = Policy {
        allow_private: false,
    };
    const DEV: Policy = Policy {
        allow_private: true,
    };

    #[test]
    fn public_https_addresses_pass() {
        assert!(STRICT
            .check_url("https://hooks.example.com/vitasync")
            .is_ok());
        assert!(STRICT.check_url("https://93.184.216.34/x").is_ok());
        assert!(STRICT.check_url("https://[2606:2800:220:1::1]/").is_ok());
    }

    #[test]
    fn private_loopback_and_metadata_addresses_are_refused_in_every_spelling() {
        for url in [
            "https://127.0.0.1/",
            "https://127.1/",
            "https://2130706433/",
            "https://0x7f000001/",
            "https://0177.0.0.1/",
            "https://0x7f.0.0.1/",
            "https://10.1.2.3/",
            "https://172.16.0.1/",
            "https://192.168.1.1/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://[::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:10.0.0.1]/",
            "https://[fd12::1]/",
            "https://[64:ff9b::a00:1]/",
            "https://224.0.0.1/",
            "https://255.255.255.255/",
        ] {
            assert!(
                matches!(STRICT.check_url(url), Err(Refused::Private(_))),
                "{url} should be refused"
            );
        }
        for url in [
            "https://169.254.169.254/latest/meta-data",
            "https://2852039166/",
            "https://[fe80::1]/",
            "https://[::ffff:169.254.169.254]/",
            "https://[fd00:ec2::254]/",
            "https://100.100.100.200/latest/meta-data",
        ] {
            assert!(
                matches!(STRICT.check_url(url), Err(Refused::LinkLocal(_))),
                "{url}"
            );
            assert!(
                matches!(DEV.check_url(url), Err(Refused::LinkLocal(_))),
                "{url} stays refused in development"
            );
        }
    }

    #[test]
    fn development_opens_loopback_and_private_ranges_over_http() {
        assert_eq!(
            STRICT.check_url("http://example.com/"),
            Err(Refused::NotHttps)
        );
        assert!(DEV.check_url("http://127.0.0.1:8080/hook").is_ok());
        assert!(DEV.check_url("http://10.0.0.5/hook").is_ok());
        assert!(DEV.check_url("http://[::1]:9000/").is_ok());
        assert!(DEV.check_url("https://[fd12::1]/").is_ok());
    }

    #[test]
    fn odd_urls_are_refused() {
        assert_eq!(
            STRICT.check_url("ftp://example.com"),
            Err(Refused::Malformed)
        );
        assert_eq!(STRICT.check_url("not a url"), Err(Refused::Malformed));
        assert_eq!(
            STRICT.check_url("https://user:pw@example.com/"),
            Err(Refused::Credentials)
        );
    }

    #[tokio::test]
    async fn a_host_name_resolving_to_loopback_is_refused() {
        let err = STRICT
            .check_url_resolved("https://localhost/hook")
            .await
            .unwrap_err();
        assert!(
            matches!(err, Refused::Private(ip) if ip.is_loopback()),
            "{err:?}"
        );
        assert!(DEV
            .check_url_resolved("http://localhost:1/hook")
            .await
            .is_ok());
    }

    /// A proxy named in the environment (read when a client is built) would be the address the
    /// guard checks, and the proxy would then reach any target. This test runs itself again in
    /// a child process with the proxy variables set, and checks that the proxy saw nothing.
    #[tokio::test]
    async fn a_proxy_in_the_environment_is_never_used() {
        const NAME: &str = "platform::egress::tests::a_proxy_in_the_environment_is_never_used";
        if std::env::var_os("VITASYNC_PROXY_PROBE").is_some() {
            let sent = STRICT
                .client()
                .post("https://vitasync-proxy-probe.invalid/hook")
                .send()
                .await;
            assert!(sent.is_err(), "an unresolvable host cannot be reached");
            return;
        }
        let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", proxy.local_addr().unwrap());
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", NAME, "--test-threads=1"])
            .env("VITASYNC_PROXY_PROBE", "1")
            .env("HTTPS_PROXY", &url)
            .env("https_proxy", &url)
            .env("HTTP_PROXY", &url)
            .env("ALL_PROXY", &url)
            .env_remove("NO_PROXY")
            .env_remove("no_proxy")
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{report}");
        assert!(
            report.contains("1 passed"),
            "the child ran the probe: {report}"
        );
        proxy.set_nonblocking(true).unwrap();
        assert!(
            proxy.accept().is_err(),
            "the webhook client connected to the proxy"
        );
    }

    #[tokio::test]
    async fn the_client_will_not_connect_to_a_refused_address() {
        // A listener on loopback that the strict client must never reach.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let err = STRICT
            .client()
            .get(format!("https://localhost:{port}/"))
            .send()
            .await
            .unwrap_err();
        assert!(err.is_connect() || err.is_request(), "{err:?}");
        let mut chain = Vec::new();
        let mut source: Option<&dyn std::error::Error> = Some(&err);
        while let Some(e) = source {
            chain.push(e.to_string());
            source = e.source();
        }
        assert!(
            chain.iter().any(|m| m.contains("private or reserved")),
            "{chain:?}"
        );
    }
}
