//! What the non-shell simulated images do: servers that listen on their usual ports and log as the real
//! programs do, `pause`, control-plane components, and a few programs that print and exit.
//!
//! Shell images (and any `command` that names a shell or a busybox applet) run through
//! [`crate::runtime::shell`]; the kubelet decides which (see `container::launch`).

use std::collections::BTreeMap;

use crate::clock::{Millis, EPOCH_UNIX_SECONDS};

use super::images::{Behaviour, ImageRef};

/// A long-running native program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    pub kind: ServerKind,
    /// TCP ports it listens on.
    pub ports: Vec<u16>,
    pub started_at: Millis,
    /// The program's version (`1.29.1`), for its `Server` header and error pages.
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerKind {
    /// Serves files from a document root (nginx, httpd).
    Static { root: &'static str, flavour: StaticFlavour },
    /// agnhost netexec: `/`, `/hostname`, `/echo?msg=`, `/healthz`.
    Netexec,
    /// agnhost liveness: `/healthz` answers 200 for the first 10 s, then 500.
    AgnhostLiveness,
    /// agnhost serve-hostname: every request answers the pod's hostname.
    ServeHostname,
    /// http-echo: every request answers `text`.
    Echo { text: String },
    /// A server without HTTP (redis, databases, control-plane components): it only accepts connections.
    Tcp,
    /// Sleeps until stopped (`pause`, `agnhost pause`).
    Sleep,
    /// CoreDNS's HTTP side: the `health` plugin (`/health` on :8080) and the `ready` plugin (`/ready` on
    /// :8181) both answer `OK`.
    CoreDns,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StaticFlavour {
    Nginx,
    Httpd,
}

/// How a server without HTTP answers an HTTP request ([`Server::on_http_request`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NonHttp {
    /// It closes the connection without a byte (curl: `(52) Empty reply from server`).
    Closes,
    /// It sends its own protocol's greeting (curl: `(1) Received HTTP/0.9 when not allowed`).
    Greets,
}

/// An HTTP answer from a simulated server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpAnswer {
    pub status: u16,
    pub body: String,
}

/// How a native program starts.
#[derive(Debug)]
pub enum Launch {
    /// It keeps running, after printing `logs`.
    Runs { server: Server, logs: Vec<String> },
    /// It prints `logs` (each to stdout or stderr) and exits with `code` after `after_ms`.
    Exits { code: i32, logs: Vec<String>, after_ms: Millis },
}

/// Starts the native program of an image with `argv` (ENTRYPOINT + CMD after the pod's overrides) and `env`.
pub fn launch(
    behaviour: Behaviour,
    image: &ImageRef,
    argv: &[String],
    env: &BTreeMap<String, String>,
    now: Millis,
    pod_ip: &str,
) -> Launch {
    let version = super::images::program_version(image);
    let runs = |kind: ServerKind, ports: &[u16], logs: Vec<String>| Launch::Runs {
        server: Server { kind, ports: ports.to_vec(), started_at: now, version: version.clone() },
        logs,
    };
    match behaviour {
        Behaviour::Nginx => runs(
            ServerKind::Static { root: "/usr/share/nginx/html", flavour: StaticFlavour::Nginx },
            &[80],
            nginx_start(&version, now),
        ),
        Behaviour::Httpd => runs(
            ServerKind::Static { root: "/usr/local/apache2/htdocs", flavour: StaticFlavour::Httpd },
            &[80],
            httpd_start(&version, now, pod_ip),
        ),
        Behaviour::Redis => runs(ServerKind::Tcp, &[6379], redis_start(&version, now)),
        Behaviour::Postgres => {
            if env.get("POSTGRES_PASSWORD").is_none_or(String::is_empty)
                && env.get("POSTGRES_HOST_AUTH_METHOD").is_none_or(|m| m != "trust")
            {
                return Launch::Exits { code: 1, logs: postgres_no_password(), after_ms: 50 };
            }
            runs(ServerKind::Tcp, &[5432], postgres_start(&version, now))
        }
        Behaviour::Mysql => {
            let keys = ["MYSQL_ROOT_PASSWORD", "MYSQL_ALLOW_EMPTY_PASSWORD", "MYSQL_RANDOM_ROOT_PASSWORD"];
            if !keys.iter().any(|k| env.contains_key(*k)) {
                return Launch::Exits { code: 1, logs: mysql_no_password(&version, now), after_ms: 200 };
            }
            runs(
                ServerKind::Tcp,
                &[3306, 33060],
                vec![format!(
                    "{} [Note] [Entrypoint]: Entrypoint script for MySQL Server {version}-1.el9 started.",
                    rfc3339(now)
                )],
            )
        }
        Behaviour::Mongo => runs(ServerKind::Tcp, &[27017], vec![mongo_line(now, "Waiting for connections", 27017)]),
        Behaviour::Pause => runs(ServerKind::Sleep, &[], Vec::new()),
        Behaviour::Component if image.repository.ends_with("/coredns") => {
            runs(ServerKind::CoreDns, &component_ports(image), Vec::new())
        }
        // `cp -f SRC DST` of Flannel's init containers: the file lands on the host and the container exits 0.
        Behaviour::Component if argv.first().is_some_and(|a| a.rsplit('/').next() == Some("cp")) => {
            Launch::Exits { code: 0, logs: Vec::new(), after_ms: 0 }
        }
        Behaviour::Component => runs(ServerKind::Sleep, &component_ports(image), Vec::new()),
        Behaviour::HttpEcho => {
            let mut text = None;
            let mut port = 5678;
            for a in argv.iter().skip(1) {
                let a = a.trim_start_matches('-');
                if let Some(t) = a.strip_prefix("text=") {
                    text = Some(t.to_string());
                } else if let Some(l) = a.strip_prefix("listen=") {
                    port = l.rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or(port);
                }
            }
            match text {
                Some(text) => runs(
                    ServerKind::Echo { text },
                    &[port],
                    vec![format!("{} [INFO] server is listening on :{port}", go_log_time(now))],
                ),
                None => Launch::Exits { code: 127, logs: vec!["Missing -text option!".into()], after_ms: 10 },
            }
        }
        Behaviour::Agnhost => agnhost(argv, now),
        Behaviour::Stress => stress(argv, now),
        Behaviour::Perl => perl(argv),
        Behaviour::Shell => Launch::Exits { code: 0, logs: Vec::new(), after_ms: 0 },
    }
}

/// stress's options: `--vm N`, `--vm-bytes B`, `--cpu N`, `--io N`, `--hdd N`, `--timeout T` (short forms
/// `-m`, `-c`, `-i`, `-d`, `-t`), each with its value in the next word.
fn stress_opts(argv: &[String]) -> BTreeMap<&'static str, String> {
    let mut opts = BTreeMap::new();
    let mut words = argv.iter().skip(1);
    while let Some(w) = words.next() {
        let key = match w.as_str() {
            "--vm" | "-m" => "vm",
            "--vm-bytes" => "vm-bytes",
            "--cpu" | "-c" => "cpu",
            "--io" | "-i" => "io",
            "--hdd" | "-d" => "hdd",
            "--timeout" | "-t" => "timeout",
            _ => continue,
        };
        if let Some(v) = words.next() {
            opts.insert(key, v.clone());
        }
    }
    opts
}

/// A stress size: digits with an optional `b`/`k`/`m`/`g` suffix in powers of 1024 (stress's `atoll_b`).
///
/// Examples: `250M` → 262 144 000, `150m` → 157 286 400, `1G` → 1 073 741 824, `4096` → 4 096.
pub fn stress_bytes(s: &str) -> Option<u64> {
    let (digits, unit) = match s.char_indices().last()? {
        (i, c) if c.is_ascii_alphabetic() => (&s[..i], c.to_ascii_lowercase()),
        _ => (s, 'b'),
    };
    let n: u64 = digits.parse().ok()?;
    let mult = match unit {
        'b' => 1,
        'k' => 1 << 10,
        'm' => 1 << 20,
        'g' => 1 << 30,
        _ => return None,
    };
    n.checked_mul(mult)
}

/// How much memory a native program holds once it runs, for the OOM killer: `stress --vm N --vm-bytes B`
/// holds N×B (B defaults to 256M). Other programs stay far below any limit a lesson sets.
pub fn memory_demand(behaviour: Behaviour, argv: &[String]) -> u64 {
    if behaviour != Behaviour::Stress {
        return 0;
    }
    let opts = stress_opts(argv);
    let vm: u64 = opts.get("vm").and_then(|v| v.parse().ok()).unwrap_or(0);
    let bytes = opts.get("vm-bytes").and_then(|b| stress_bytes(b)).unwrap_or(256 << 20);
    vm.saturating_mul(bytes)
}

/// `stress`: prints what it dispatches and runs until `--timeout` (forever without one).
fn stress(argv: &[String], now: Millis) -> Launch {
    let opts = stress_opts(argv);
    let count = |k: &str| opts.get(k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let (cpu, io, vm, hdd) = (count("cpu"), count("io"), count("vm"), count("hdd"));
    if cpu + io + vm + hdd == 0 {
        // Without a hog stress prints its usage and exits 1.
        return Launch::Exits {
            code: 1,
            logs: vec!["`stress' imposes certain types of compute stress on your system".into()],
            after_ms: 10,
        };
    }
    let dispatch = format!("stress: info: [1] dispatching hogs: {cpu} cpu, {io} io, {vm} vm, {hdd} hdd");
    let timeout = opts.get("timeout").and_then(|t| {
        let (n, unit) = t.split_at(t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len()));
        let n: u64 = n.parse().ok()?;
        Some(
            n * match unit {
                "" | "s" => 1,
                "m" => 60,
                "h" => 3600,
                "d" => 86_400,
                _ => return None,
            },
        )
    });
    match timeout {
        Some(secs) => Launch::Exits {
            code: 0,
            logs: vec![dispatch, format!("stress: info: [1] successful run completed in {secs}s")],
            after_ms: secs * 1000,
        },
        None => Launch::Runs {
            server: Server { kind: ServerKind::Sleep, ports: Vec::new(), started_at: now, version: String::new() },
            logs: vec![dispatch],
        },
    }
}

fn component_ports(image: &ImageRef) -> Vec<u16> {
    match image.repository.rsplit('/').next().unwrap_or_default() {
        "etcd" => vec![2379, 2380],
        "kube-apiserver" => vec![8443],
        "kube-controller-manager" => vec![10257],
        "kube-scheduler" => vec![10259],
        "kube-proxy" => vec![10249, 10256],
        "coredns" => vec![53, 8080, 8181, 9153],
        _ => Vec::new(),
    }
}

fn agnhost(argv: &[String], now: Millis) -> Launch {
    let sub = argv.iter().skip(1).find(|a| !a.starts_with('-')).map(String::as_str);
    let flag = |name: &str, default: u16| {
        argv.iter().find_map(|a| a.strip_prefix(&format!("--{name}=")).and_then(|v| v.parse().ok())).unwrap_or(default)
    };
    let server = |kind, ports: Vec<u16>, logs| Launch::Runs {
        server: Server { kind, ports, started_at: now, version: String::new() },
        logs,
    };
    match sub {
        Some("netexec") => {
            let port = flag("http-port", 8080);
            server(ServerKind::Netexec, vec![port], vec![format!("Started HTTP server on port {port}")])
        }
        Some("liveness") => server(ServerKind::AgnhostLiveness, vec![8080], Vec::new()),
        Some("serve-hostname") => {
            let port = flag("port", 9376);
            server(ServerKind::ServeHostname, vec![port], vec![format!("Serving on port {port}.")])
        }
        Some("pause") => server(ServerKind::Sleep, Vec::new(), vec!["Paused".into()]),
        Some(other) => Launch::Exits {
            code: 1,
            logs: vec![format!("Error: unknown command \"{other}\" for \"agnhost\""), "Run 'agnhost --help' for usage.".into()],
            after_ms: 10,
        },
        None => Launch::Exits {
            code: 0,
            logs: vec!["agnhost is a multi-purpose test image. Choose a subcommand: netexec, liveness, serve-hostname, pause, …".into()],
            after_ms: 10,
        },
    }
}

/// perl: the docs' Job runs `perl -Mbignum=bpi -wle 'print bpi(2000)'`; that is the one program it knows.
fn perl(argv: &[String]) -> Launch {
    let script = argv.iter().skip(1).rfind(|a| !a.starts_with('-')).cloned().unwrap_or_default();
    if argv.iter().any(|a| a.contains("bpi")) {
        let digits = script
            .split("bpi(")
            .nth(1)
            .and_then(|s| s.split(')').next())
            .and_then(|n| n.trim().parse::<usize>().ok())
            .unwrap_or(40)
            .clamp(1, 10_000);
        // A trailing `exit N` statement (`print bpi(2000); exit 1`, a failing Job in lessons) sets the status.
        let code = script
            .split(';')
            .map(str::trim)
            .filter_map(|stmt| stmt.strip_prefix("exit"))
            .filter_map(|n| n.trim().trim_matches(|c| c == '(' || c == ')').trim().parse::<i32>().ok())
            .next_back()
            .map_or(0, |n| n & 0xff);
        // Takes a while, as the real computation does (the docs' Job finishes in about 10 s).
        return Launch::Exits { code, logs: vec![pi_digits(digits)], after_ms: 2_000 + digits as u64 * 3 };
    }
    if argv.len() <= 1 || argv.iter().any(|a| a == "-de0") {
        // The default `perl -de0` waits for a debugger terminal it does not have, and exits.
        return Launch::Exits { code: 0, logs: Vec::new(), after_ms: 10 };
    }
    Launch::Exits {
        code: 2,
        logs: vec![format!("kubeground: this simulated perl only computes bpi(N); it cannot run {script:?}")],
        after_ms: 10,
    }
}

/// The first `n` significant digits of π as `bpi(n)` prints them (`3.14159…`), by Gibbons' unbounded spigot
/// over fixed-size limbs. `bpi` rounds its last digit; the spigot yields one more digit to round from.
pub fn pi_digits(n: usize) -> String {
    let digits = spigot(n + 1);
    let mut d: Vec<u8> = digits[..n].to_vec();
    if digits[n] >= 5 {
        let mut i = n;
        while i > 0 {
            i -= 1;
            if d[i] == 9 {
                d[i] = 0;
            } else {
                d[i] += 1;
                break;
            }
        }
    }
    let mut s = String::with_capacity(n + 1);
    for (i, x) in d.iter().enumerate() {
        s.push((b'0' + x) as char);
        if i == 0 && n > 1 {
            s.push('.');
        }
    }
    s
}

/// Rabinowitz–Wagon spigot: `count` decimal digits of π.
fn spigot(count: usize) -> Vec<u8> {
    let len = count * 10 / 3 + 2;
    let mut a = vec![2u64; len];
    let mut out = Vec::with_capacity(count);
    let mut nines = 0usize;
    let mut predigit: Option<u8> = None;
    while out.len() < count {
        let mut carry = 0u64;
        for i in (0..len).rev() {
            let x = a[i] * 10 + carry * (i as u64 + 1);
            let den = 2 * i as u64 + 1;
            a[i] = x % den;
            carry = x / den;
        }
        a[0] = carry % 10;
        let q = (carry / 10) as u8;
        if q == 9 {
            nines += 1;
        } else if q == 10 {
            if let Some(p) = predigit {
                out.push(p + 1);
            }
            out.extend(std::iter::repeat_n(0, nines));
            predigit = Some(0);
            nines = 0;
        } else {
            if let Some(p) = predigit {
                out.push(p);
            }
            predigit = Some(q);
            out.extend(std::iter::repeat_n(9, nines));
            nines = 0;
        }
    }
    out.truncate(count);
    out
}

impl Server {
    /// Whether a TCP connection to `port` is accepted.
    pub fn listens(&self, port: u16) -> bool {
        self.ports.contains(&port)
    }

    /// Answers `GET path` (the query string included). `read` reads a file of the container's filesystem.
    pub fn http_get(
        &self,
        path: &str,
        now: Millis,
        hostname: &str,
        read: &dyn Fn(&str) -> Option<String>,
    ) -> HttpAnswer {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let ok = |body: String| HttpAnswer { status: 200, body };
        match &self.kind {
            ServerKind::Static { root, flavour } => {
                let mut file = format!("{root}{path}");
                if file.ends_with('/') {
                    file.push_str("index.html");
                }
                match read(&file) {
                    Some(body) => ok(body),
                    None => HttpAnswer { status: 404, body: not_found_page(*flavour, path, &self.version) },
                }
            }
            ServerKind::Netexec => match path {
                "/hostname" => ok(hostname.to_string()),
                "/healthz" => ok(String::new()),
                "/echo" => ok(query.strip_prefix("msg=").unwrap_or_default().to_string()),
                _ => ok(format!("NOW: {}", go_log_time(now))),
            },
            ServerKind::AgnhostLiveness => {
                let up = now.saturating_sub(self.started_at);
                if path == "/healthz" && up > 10_000 {
                    HttpAnswer { status: 500, body: format!("error: {:.6}", up as f64 / 1000.0) }
                } else {
                    ok("ok".into())
                }
            }
            ServerKind::ServeHostname => ok(hostname.to_string()),
            ServerKind::Echo { text } => ok(format!("{text}\n")),
            ServerKind::CoreDns => match path {
                "/health" | "/ready" => ok("OK".into()),
                _ => HttpAnswer { status: 404, body: "404 page not found\n".into() },
            },
            ServerKind::Tcp | ServerKind::Sleep => HttpAnswer { status: 0, body: String::new() },
        }
    }

    /// The file a static server answers `path` from (`/` → its document root's `index.html`).
    pub fn served_file(&self, path: &str) -> Option<String> {
        let ServerKind::Static { root, .. } = &self.kind else { return None };
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let mut file = format!("{root}{path}");
        if file.ends_with('/') {
            file.push_str("index.html");
        }
        Some(file)
    }

    /// The response's header fields, in the order the real server writes them. `modified` is when the served
    /// file was last written (`None`: it came with the image); `body_len` is the length of the GET body (a HEAD
    /// answer announces the same `Content-Length`).
    ///
    /// nginx: `Server`, `Date`, `Content-Type`, `Content-Length`, `Last-Modified`, `Connection`, `ETag`
    /// (`"{mtime:x}-{size:x}"`), `Accept-Ranges`; Apache: `Date`, `Server`, `Last-Modified`, `ETag`
    /// (`"{size:x}-{mtime in µs:x}"`), `Accept-Ranges`, `Content-Length`, `Content-Type`; Go's net/http (agnhost,
    /// http-echo, CoreDNS): the handler's own headers sorted, then `Date`, `Content-Length`, `Content-Type`.
    pub fn response_headers(
        &self,
        path: &str,
        status: u16,
        body_len: usize,
        now: Millis,
        modified: Option<Millis>,
    ) -> Vec<(String, String)> {
        let h = |k: &str, v: String| (k.to_string(), v);
        let date = http_date_unix(EPOCH_UNIX_SECONDS + (now / 1000) as i64);
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let file = if path.ends_with('/') { "index.html" } else { path.rsplit('/').next().unwrap_or_default() };
        let ext = file.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
        match &self.kind {
            ServerKind::Static { flavour: StaticFlavour::Nginx, .. } => {
                let mut out = vec![h("Server", format!("nginx/{}", self.version)), h("Date", date)];
                if status == 200 {
                    // The image's files date from its build: an informed guess at nginx 1.29.1's (13 Aug 2025).
                    let mtime =
                        modified.map(|m| EPOCH_UNIX_SECONDS + (m / 1000) as i64).unwrap_or(NGINX_IMAGE_FILES_UNIX);
                    let mime = match ext.as_str() {
                        "html" | "htm" | "shtml" => "text/html",
                        "txt" => "text/plain",
                        "css" => "text/css",
                        "js" => "application/javascript",
                        "json" => "application/json",
                        "xml" => "text/xml",
                        "png" => "image/png",
                        "svg" | "svgz" => "image/svg+xml",
                        _ => "application/octet-stream",
                    };
                    out.push(h("Content-Type", mime.into()));
                    out.push(h("Content-Length", body_len.to_string()));
                    out.push(h("Last-Modified", http_date_unix(mtime)));
                    out.push(h("Connection", "keep-alive".into()));
                    out.push(h("ETag", format!("\"{mtime:x}-{body_len:x}\"")));
                    out.push(h("Accept-Ranges", "bytes".into()));
                } else {
                    out.push(h("Content-Type", "text/html".into()));
                    out.push(h("Content-Length", body_len.to_string()));
                    out.push(h("Connection", "keep-alive".into()));
                }
                out
            }
            ServerKind::Static { flavour: StaticFlavour::Httpd, .. } => {
                let mut out = vec![h("Date", date), h("Server", format!("Apache/{} (Unix)", self.version))];
                if status == 200 {
                    // httpd's htdocs/index.html keeps its 2007 timestamp from the source tarball.
                    let mtime_us = modified
                        .map(|m| (EPOCH_UNIX_SECONDS * 1000 + m as i64) * 1000)
                        .unwrap_or(HTTPD_INDEX_UNIX * 1_000_000);
                    out.push(h("Last-Modified", http_date_unix(mtime_us / 1_000_000)));
                    out.push(h("ETag", format!("\"{body_len:x}-{mtime_us:x}\"")));
                    out.push(h("Accept-Ranges", "bytes".into()));
                    out.push(h("Content-Length", body_len.to_string()));
                    let mime = match ext.as_str() {
                        "html" | "htm" => Some("text/html"),
                        "txt" => Some("text/plain"),
                        "css" => Some("text/css"),
                        "js" => Some("text/javascript"),
                        "json" => Some("application/json"),
                        _ => None,
                    };
                    if let Some(m) = mime {
                        out.push(h("Content-Type", m.into()));
                    }
                } else {
                    out.push(h("Content-Length", body_len.to_string()));
                    out.push(h("Content-Type", "text/html; charset=iso-8859-1".into()));
                }
                out
            }
            ServerKind::Tcp | ServerKind::Sleep => Vec::new(),
            _ => {
                let mut out = Vec::new();
                if let ServerKind::Echo { .. } = self.kind {
                    out.push(h("X-App-Name", "http-echo".into()));
                    out.push(h("X-App-Version", self.version.clone()));
                }
                out.push(h("Date", date));
                out.push(h("Content-Length", body_len.to_string()));
                out.push(h("Content-Type", "text/plain; charset=utf-8".into()));
                out
            }
        }
    }

    /// What a server without HTTP does with an HTTP request, known by its port: redis (6379) and PostgreSQL (5432)
    /// close the connection without a reply and log why (redis's cross-protocol warning; PostgreSQL's startup
    /// packet check, whose backend pid here is an informed guess); MySQL (3306) has already sent its binary
    /// greeting, which the client takes for an HTTP/0.9 answer. `None`: it says nothing and the client waits.
    pub fn on_http_request(&self, now: Millis) -> Option<(NonHttp, Option<String>)> {
        if self.kind != ServerKind::Tcp {
            return None;
        }
        if self.listens(6379) {
            let line = format!(
                "1:M {} # Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands \
                 to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise \
                 your Redis instance. Connection aborted.",
                redis_time(now)
            );
            return Some((NonHttp::Closes, Some(line)));
        }
        if self.listens(5432) {
            let t = format!("{} UTC", rfc3339_millis(now));
            return Some((NonHttp::Closes, Some(format!("{t} [64] LOG:  invalid length of startup packet"))));
        }
        if self.listens(3306) {
            return Some((NonHttp::Greets, None));
        }
        None
    }

    /// Whether this server speaks HTTP at all (a GET to redis gets no HTTP answer).
    pub fn speaks_http(&self) -> bool {
        !matches!(self.kind, ServerKind::Tcp | ServerKind::Sleep)
    }

    /// The access-log line a request adds to the container's log, if the server writes one.
    #[allow(clippy::too_many_arguments)]
    pub fn access_log(
        &self,
        from_ip: &str,
        method: &str,
        path: &str,
        status: u16,
        bytes: usize,
        agent: &str,
        now: Millis,
    ) -> Option<String> {
        match &self.kind {
            ServerKind::Static { flavour: StaticFlavour::Nginx, .. } => Some(format!(
                "{from_ip} - - [{}] \"{method} {path} HTTP/1.1\" {status} {bytes} \"-\" \"{agent}\" \"-\"",
                clf_time(now)
            )),
            // Apache's common format: `%b` prints `-` for a response without body bytes (a HEAD request).
            ServerKind::Static { flavour: StaticFlavour::Httpd, .. } => {
                let bytes = if bytes == 0 { "-".to_string() } else { bytes.to_string() };
                Some(format!("{from_ip} - - [{}] \"{method} {path} HTTP/1.1\" {status} {bytes}", clf_time(now)))
            }
            _ => None,
        }
    }
}

/// The files an image brings (beyond the shell's standard tree): document roots and their pages.
pub fn image_files(behaviour: Behaviour) -> Vec<(&'static str, String)> {
    match behaviour {
        Behaviour::Nginx => vec![
            ("/usr/share/nginx/html/index.html", NGINX_WELCOME.to_string()),
            ("/usr/share/nginx/html/50x.html", NGINX_50X.to_string()),
            ("/etc/nginx/nginx.conf", "user  nginx;\nworker_processes  auto;\n".to_string()),
            ("/etc/nginx/conf.d/default.conf", "server {\n    listen       80;\n    listen  [::]:80;\n    server_name  localhost;\n\n    location / {\n        root   /usr/share/nginx/html;\n        index  index.html index.htm;\n    }\n}\n".to_string()),
        ],
        Behaviour::Httpd => vec![(
            "/usr/local/apache2/htdocs/index.html",
            "<html><body><h1>It works!</h1></body></html>\n".to_string(),
        )],
        Behaviour::Redis => vec![("/data/.keep", String::new())],
        Behaviour::Postgres => vec![("/var/lib/postgresql/data/.keep", String::new())],
        Behaviour::Mysql => vec![("/var/lib/mysql/.keep", String::new())],
        Behaviour::Mongo => vec![("/data/db/.keep", String::new())],
        _ => Vec::new(),
    }
}

pub const NGINX_WELCOME: &str = "<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href=\"http://nginx.org/\">nginx.org</a>.<br/>
Commercial support is available at
<a href=\"http://nginx.com/\">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
";

const NGINX_50X: &str = "<!DOCTYPE html>
<html>
<head>
<title>Error</title>
</head>
<body>
<h1>An error occurred.</h1>
</body>
</html>
";

/// The error pages: nginx's `ngx_http_error_tail` names `nginx/VERSION` (the image keeps `server_tokens on`).
fn not_found_page(flavour: StaticFlavour, path: &str, version: &str) -> String {
    match flavour {
        StaticFlavour::Nginx => format!("<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/{version}</center>\r\n</body>\r\n</html>\r\n"),
        StaticFlavour::Httpd => format!("<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL {path} was not found on this server.</p>\n</body></html>\n"),
    }
}

fn nginx_start(version: &str, now: Millis) -> Vec<String> {
    let t = nginx_time(now);
    let mut lines: Vec<String> = [
        "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
        "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
        "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
        "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
        "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
        "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
        "/docker-entrypoint.sh: Configuration complete; ready for start up",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    lines.push(format!("{t} [notice] 1#1: using the \"epoll\" event method"));
    lines.push(format!("{t} [notice] 1#1: nginx/{version}"));
    lines.push(format!("{t} [notice] 1#1: OS: Linux 6.8.0-generic"));
    lines.push(format!("{t} [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576"));
    lines.push(format!("{t} [notice] 1#1: start worker processes"));
    lines.push(format!("{t} [notice] 1#1: start worker process 29"));
    lines.push(format!("{t} [notice] 1#1: start worker process 30"));
    lines
}

fn httpd_start(version: &str, now: Millis, pod_ip: &str) -> Vec<String> {
    let fqdn = format!("AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using {pod_ip}. Set the 'ServerName' directive globally to suppress this message");
    let t = apache_time(now);
    vec![
        fqdn.clone(),
        fqdn,
        format!("[{t}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/{version} (Unix) configured -- resuming normal operations"),
        format!("[{t}] [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'"),
    ]
}

fn redis_start(version: &str, now: Millis) -> Vec<String> {
    let t = redis_time(now);
    vec![
        format!("1:C {t} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"),
        format!("1:C {t} * Redis version={version}, bits=64, commit=00000000, modified=0, pid=1, just started"),
        format!("1:C {t} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf"),
        format!("1:M {t} * monotonic clock: POSIX clock_gettime"),
        format!("1:M {t} * Running mode=standalone, port=6379."),
        format!("1:M {t} * Server initialized"),
        format!("1:M {t} * Ready to accept connections tcp"),
    ]
}

fn postgres_no_password() -> Vec<String> {
    vec![
        "Error: Database is uninitialized and superuser password is not specified.".into(),
        "       You must specify POSTGRES_PASSWORD to a non-empty value for the".into(),
        "       superuser. For example, \"-e POSTGRES_PASSWORD=password\" on \"docker run\".".into(),
        String::new(),
        "       You may also use \"POSTGRES_HOST_AUTH_METHOD=trust\" to allow all".into(),
        "       connections without a password. This is *not* recommended.".into(),
        String::new(),
        "       See PostgreSQL documentation about \"trust\":".into(),
        "       https://www.postgresql.org/docs/current/auth-trust.html".into(),
    ]
}

fn postgres_start(version: &str, now: Millis) -> Vec<String> {
    let t = format!("{} UTC", rfc3339(now).replace('T', " ").trim_end_matches('Z'));
    vec![
        format!("{t} [1] LOG:  starting PostgreSQL {version} on x86_64-pc-linux-gnu, compiled by gcc, 64-bit"),
        format!("{t} [1] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432"),
        format!("{t} [1] LOG:  database system is ready to accept connections"),
    ]
}

fn mysql_no_password(version: &str, now: Millis) -> Vec<String> {
    let t = rfc3339(now);
    vec![
        format!("{t} [Note] [Entrypoint]: Entrypoint script for MySQL Server {version}-1.el9 started."),
        format!("{t} [ERROR] [Entrypoint]: Database is uninitialized and password option is not specified"),
        "    You need to specify one of the following as an environment variable:".into(),
        "    - MYSQL_ROOT_PASSWORD".into(),
        "    - MYSQL_ALLOW_EMPTY_PASSWORD".into(),
        "    - MYSQL_RANDOM_ROOT_PASSWORD".into(),
    ]
}

fn mongo_line(now: Millis, msg: &str, port: u16) -> String {
    format!(
        "{{\"t\":{{\"$date\":\"{}\"}},\"s\":\"I\",  \"c\":\"NETWORK\",  \"id\":23016,   \"ctx\":\"listener\",\"msg\":\"{msg}\",\"attr\":{{\"port\":{port}}}}}",
        rfc3339(now).replace('Z', ".000+00:00")
    )
}

/// Civil date and time of a simulated instant: (year, month 1-12, day, hour, minute, second, weekday 0=Sun).
pub fn civil(now: Millis) -> (i64, u32, u32, u32, u32, u32, u32) {
    let secs = EPOCH_UNIX_SECONDS + (now / 1000) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, m, d) = crate::runtime::shell::civil_from_days(days);
    let weekday = (days + 4).rem_euclid(7) as u32;
    (year, m, d, (rem / 3600) as u32, (rem % 3600 / 60) as u32, (rem % 60) as u32, weekday)
}

pub const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
pub const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// `2025-08-27T00:00:05Z`
pub fn rfc3339(now: Millis) -> String {
    let (y, mo, d, h, mi, s, _) = civil(now);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// `2025-08-27T00:00:05.123456789Z`, as `kubectl logs --timestamps` prints.
pub fn rfc3339_nanos(now: Millis) -> String {
    let (y, mo, d, h, mi, s, _) = civil(now);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}000000Z", now % 1000)
}

/// PostgreSQL's log time without the zone: `2025-08-27 00:00:05.123`.
fn rfc3339_millis(now: Millis) -> String {
    let (y, mo, d, h, mi, s, _) = civil(now);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{:03}", now % 1000)
}

/// nginx's error-log time: `2025/08/27 00:00:05`.
fn nginx_time(now: Millis) -> String {
    let (y, mo, d, h, mi, s, _) = civil(now);
    format!("{y:04}/{mo:02}/{d:02} {h:02}:{mi:02}:{s:02}")
}

/// When nginx's image files were written: an informed guess at the build of nginx 1.29.1's image
/// (2025-08-13 15:10:23 UTC; the day is nginx 1.29.1's release, the time a guess).
const NGINX_IMAGE_FILES_UNIX: i64 = 1_755_097_823;
/// httpd's `htdocs/index.html`: `Last-Modified: Mon, 11 Jun 2007 18:53:14 GMT`, `ETag: "2d-432a5e4a73a80"`.
const HTTPD_INDEX_UNIX: i64 = 1_181_587_994;

/// An HTTP date (RFC 9110's IMF-fixdate) of a Unix time: `1756252805` → `Wed, 27 Aug 2025 00:00:05 GMT`.
pub fn http_date_unix(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, mo, d) = crate::runtime::shell::civil_from_days(days);
    let weekday = (days + 4).rem_euclid(7) as usize;
    format!(
        "{}, {d:02} {} {y:04} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[weekday],
        MONTHS[mo as usize - 1],
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Go's log package default: `2025/08/27 00:00:05`.
fn go_log_time(now: Millis) -> String {
    nginx_time(now)
}

/// Common Log Format time: `27/Aug/2025:00:00:05 +0000`.
fn clf_time(now: Millis) -> String {
    let (y, mo, d, h, mi, s, _) = civil(now);
    format!("{d:02}/{}/{y:04}:{h:02}:{mi:02}:{s:02} +0000", MONTHS[mo as usize - 1])
}

/// Apache's error-log time: `Wed Aug 27 00:00:05.000000 2025`.
fn apache_time(now: Millis) -> String {
    let (y, mo, d, h, mi, s, wd) = civil(now);
    format!(
        "{} {} {d:02} {h:02}:{mi:02}:{s:02}.{:03}000 {y}",
        WEEKDAYS[wd as usize],
        MONTHS[mo as usize - 1],
        now % 1000
    )
}

/// redis's log time: `27 Aug 2025 00:00:05.000`.
fn redis_time(now: Millis) -> String {
    let (y, mo, d, h, mi, s, _) = civil(now);
    format!("{d:02} {} {y} {h:02}:{mi:02}:{s:02}.{:03}", MONTHS[mo as usize - 1], now % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubelet::images::parse;

    #[test]
    fn stress_sizes_are_powers_of_1024() {
        for (s, want) in [
            ("250M", Some(262_144_000)),
            ("150m", Some(157_286_400)),
            ("1G", Some(1 << 30)),
            ("4096", Some(4096)),
            ("x", None),
        ] {
            assert_eq!(stress_bytes(s), want, "{s}");
        }
        let argv: Vec<String> =
            ["stress", "--vm", "2", "--vm-bytes", "100M", "--vm-hang", "1"].map(String::from).to_vec();
        assert_eq!(memory_demand(Behaviour::Stress, &argv), 200 << 20);
        assert_eq!(memory_demand(Behaviour::Nginx, &argv), 0);
    }

    #[test]
    fn pi_matches_the_known_digits() {
        assert_eq!(pi_digits(1), "3");
        assert_eq!(pi_digits(10), "3.141592654");
        assert_eq!(pi_digits(50), "3.1415926535897932384626433832795028841971693993751");
        let long = pi_digits(2000);
        assert_eq!(long.len(), 2001);
        let hundred =
            "3.1415926535897932384626433832795028841971693993751058209749445923078164062862089986280348253421170679";
        assert!(long.starts_with(hundred));
        // bpi rounds the last digit: the 101st decimal is 8, so 100 decimals end in …70680.
        assert!(pi_digits(101).ends_with("170680"));
    }

    #[test]
    fn civil_time_of_the_epoch_and_later() {
        assert_eq!(rfc3339(0), "2025-08-27T00:00:00Z");
        assert_eq!(civil(0).6, 3, "27 Aug 2025 was a Wednesday");
        assert_eq!(rfc3339(86_400_000 * 5 + 3_661_000), "2025-09-01T01:01:01Z");
        assert_eq!(clf_time(5_000), "27/Aug/2025:00:00:05 +0000");
        assert_eq!(rfc3339_nanos(1_234), "2025-08-27T00:00:01.234000000Z");
    }

    #[test]
    fn nginx_serves_its_document_root_and_404s() {
        let image = parse("nginx:1.27").unwrap();
        let Launch::Runs { server, logs } = launch(Behaviour::Nginx, &image, &[], &BTreeMap::new(), 0, "10.244.3.2")
        else {
            panic!("nginx runs")
        };
        assert!(logs.iter().any(|l| l.ends_with("nginx/1.27.0")));
        let read = |p: &str| (p == "/usr/share/nginx/html/index.html").then(|| NGINX_WELCOME.to_string());
        assert_eq!(server.http_get("/", 0, "web", &read).status, 200);
        assert_eq!(server.http_get("/nope", 0, "web", &read).status, 404);
        assert!(server.listens(80) && !server.listens(8080));
        assert_eq!(NGINX_WELCOME.len(), 615);
        let names = |hs: Vec<(String, String)>| hs.into_iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>();
        assert_eq!(
            names(server.response_headers("/", 200, 615, 5_000, None)),
            [
                "Server: nginx/1.27.0",
                "Date: Wed, 27 Aug 2025 00:00:05 GMT",
                "Content-Type: text/html",
                "Content-Length: 615",
                "Last-Modified: Wed, 13 Aug 2025 15:10:23 GMT",
                "Connection: keep-alive",
                "ETag: \"689caadf-267\"",
                "Accept-Ranges: bytes",
            ]
        );
        let page = server.http_get("/nope", 0, "web", &read).body;
        assert!(page.contains("<hr><center>nginx/1.27.0</center>"));
    }

    #[test]
    fn servers_without_http_close_or_greet() {
        let tcp = |port| Server { kind: ServerKind::Tcp, ports: vec![port], started_at: 0, version: String::new() };
        let (reply, line) = tcp(6379).on_http_request(0).unwrap();
        assert_eq!(reply, NonHttp::Closes);
        assert!(line.unwrap().starts_with("1:M 27 Aug 2025 00:00:00.000 # Possible SECURITY ATTACK detected."));
        assert_eq!(
            tcp(5432).on_http_request(1_500),
            Some((
                NonHttp::Closes,
                Some("2025-08-27 00:00:01.500 UTC [64] LOG:  invalid length of startup packet".into())
            ))
        );
        assert_eq!(tcp(3306).on_http_request(0), Some((NonHttp::Greets, None)));
        assert_eq!(tcp(27017).on_http_request(0), None);
    }

    #[test]
    fn httpd_headers_carry_the_index_pages_2007_timestamp() {
        let server = Server {
            kind: ServerKind::Static { root: "/", flavour: StaticFlavour::Httpd },
            ports: vec![80],
            started_at: 0,
            version: "2.4.65".into(),
        };
        let hs = server.response_headers("/", 200, 45, 0, None);
        assert_eq!(hs[0], ("Date".into(), "Wed, 27 Aug 2025 00:00:00 GMT".into()));
        assert_eq!(hs[1], ("Server".into(), "Apache/2.4.65 (Unix)".into()));
        assert_eq!(hs[2], ("Last-Modified".into(), "Mon, 11 Jun 2007 18:53:14 GMT".into()));
        assert_eq!(hs[3], ("ETag".into(), "\"2d-432a5e4a73a80\"".into()));
        assert_eq!(
            server.access_log("10.244.3.5", "HEAD", "/", 200, 0, "curl/8.14.1", 0).unwrap(),
            "10.244.3.5 - - [27/Aug/2025:00:00:00 +0000] \"HEAD / HTTP/1.1\" 200 -"
        );
    }

    #[test]
    fn databases_refuse_to_start_without_a_password() {
        let image = parse("postgres:17").unwrap();
        assert!(matches!(
            launch(Behaviour::Postgres, &image, &[], &BTreeMap::new(), 0, ""),
            Launch::Exits { code: 1, .. }
        ));
        let env = [("POSTGRES_PASSWORD".to_string(), "x".to_string())].into();
        assert!(matches!(launch(Behaviour::Postgres, &image, &[], &env, 0, ""), Launch::Runs { .. }));
    }

    #[test]
    fn agnhost_liveness_fails_after_ten_seconds() {
        let image = parse("registry.k8s.io/e2e-test-images/agnhost:2.40").unwrap();
        let argv = vec!["/agnhost".to_string(), "liveness".to_string()];
        let Launch::Runs { server, .. } = launch(Behaviour::Agnhost, &image, &argv, &BTreeMap::new(), 1000, "") else {
            panic!()
        };
        let none = |_: &str| None;
        assert_eq!(server.http_get("/healthz", 5_000, "h", &none).status, 200);
        assert_eq!(server.http_get("/healthz", 11_500, "h", &none).status, 500);
    }
}
