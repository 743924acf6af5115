//! The simulated internet beyond the cluster: the hosts CoreDNS's upstream knows ([`super::dns::UPSTREAM`]) and
//! what answers on them. A pod's packet to one of them leaves through its node, where Flannel's
//! `FLANNEL-POSTRTG` rule (`-s 10.244.0.0/16 ! -d 224.0.0.0/4 -j MASQUERADE --random-fully`) rewrites the pod's
//! address to the node's, and goes out through minikube's Docker network gateway (`192.168.49.1`).
//!
//! `example.com`, `www.example.com` and `example.org` serve IANA's example page on ports 80 and 443 (the
//! page and its headers as `http://example.com/` answered in 2025; the addresses are the playground's own);
//! `db.example.com` is a managed PostgreSQL that accepts connections on 5432. Anything else there drops the
//! packet (the client times out), as a cloud firewall does.

use crate::clock::{Millis, EPOCH_UNIX_SECONDS};
use crate::kubelet::programs::http_date_unix;

/// The minikube Docker network's gateway, the nodes' default route and resolver.
pub const GATEWAY: &str = "192.168.49.1";

/// What listens on an internet address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listener {
    /// IANA's example page over HTTP (and HTTPS, whose TLS is not simulated).
    ExamplePage,
    /// A TCP server without HTTP (a managed database).
    Tcp,
}

/// The host names the upstream resolver has for `ip` (the first is the one traces name).
pub fn names_of(ip: &str) -> Vec<&'static str> {
    super::dns::UPSTREAM.iter().filter(|(_, a)| *a == ip).map(|(n, _)| *n).collect()
}

/// Whether `ip` is on the simulated internet.
pub fn is_internet(ip: &str) -> bool {
    !names_of(ip).is_empty()
}

/// What listens on `ip:port` out there (`None`: the packet is dropped).
///
/// `93.184.215.14:80` → the example page; `203.0.113.10:5432` → a database; `93.184.215.14:22` → `None`.
pub fn listener(ip: &str, port: u16) -> Option<Listener> {
    let names = names_of(ip);
    if names.iter().any(|n| n.ends_with("example.com") && !n.starts_with("db.") && !n.starts_with("api."))
        || names.contains(&"example.org")
    {
        return matches!(port, 80 | 443).then_some(Listener::ExamplePage);
    }
    if names.contains(&"db.example.com") && port == 5432 {
        return Some(Listener::Tcp);
    }
    None
}

/// An answer from a server out there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// IANA's example page as example.com served it in 2025 (1256 bytes).
pub const EXAMPLE_PAGE: &str = r#"<!doctype html>
<html>
<head>
    <title>Example Domain</title>

    <meta charset="utf-8" />
    <meta http-equiv="Content-type" content="text/html; charset=utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <style type="text/css">
    body {
        background-color: #f0f0f2;
        margin: 0;
        padding: 0;
        font-family: -apple-system, system-ui, BlinkMacSystemFont, "Segoe UI", "Open Sans", "Helvetica Neue", Helvetica, Arial, sans-serif;
        
    }
    div {
        width: 600px;
        margin: 5em auto;
        padding: 2em;
        background-color: #fdfdff;
        border-radius: 0.5em;
        box-shadow: 2px 3px 7px 2px rgba(0,0,0,0.02);
    }
    a:link, a:visited {
        color: #38488f;
        text-decoration: none;
    }
    @media (max-width: 700px) {
        div {
            margin: 0 auto;
            width: auto;
        }
    }
    </style>    
</head>

<body>
<div>
    <h1>Example Domain</h1>
    <p>This domain is for use in illustrative examples in documents. You may use this
    domain in literature without prior coordination or asking for permission.</p>
    <p><a href="https://www.iana.org/domains/example">More information...</a></p>
</div>
</body>
</html>
"#;

/// `GET`/`HEAD path` to the example page's server. Every path answers the same page with 200 (example.com
/// does). The headers are those of its CDN in 2025: `ETag` and `Last-Modified` as captured then; the
/// `Cache-Control` max-age counts down in reality and is an informed guess here.
pub fn example_page(now: Millis) -> WebAnswer {
    let h = |k: &str, v: &str| (k.to_string(), v.to_string());
    WebAnswer {
        status: 200,
        headers: vec![
            h("Content-Type", "text/html"),
            h("ETag", "\"84238dfc8092e5d9c0dac8ef93371a07:1736799080.121134\""),
            h("Last-Modified", "Mon, 13 Jan 2025 20:11:20 GMT"),
            h("Cache-Control", "max-age=3068"),
            h("Date", &http_date_unix(EPOCH_UNIX_SECONDS + (now / 1000) as i64)),
            h("Content-Length", &EXAMPLE_PAGE.len().to_string()),
            h("Connection", "keep-alive"),
        ],
        body: EXAMPLE_PAGE.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_page_answers_on_web_ports_only() {
        assert_eq!(EXAMPLE_PAGE.len(), 1256);
        assert_eq!(listener("93.184.215.14", 80), Some(Listener::ExamplePage));
        assert_eq!(listener("93.184.215.15", 443), Some(Listener::ExamplePage));
        assert_eq!(listener("93.184.215.14", 22), None);
        assert_eq!(listener("203.0.113.10", 5432), Some(Listener::Tcp));
        assert_eq!(listener("203.0.113.10", 80), None);
        assert!(is_internet("203.0.113.20") && !is_internet("10.96.0.1"));
        assert_eq!(names_of("93.184.215.14"), ["example.com", "www.example.com"]);
        let a = example_page(5_000);
        assert_eq!(a.headers[4].1, "Wed, 27 Aug 2025 00:00:05 GMT");
    }
}
