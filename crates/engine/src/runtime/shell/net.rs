//! `wget`, `nslookup`, `ping`, `nc`: busybox's output, formatted from what the [`Host`] network answers.

use super::exec::{quote, Process};
use super::{ConnectOutcome, DnsAnswer, DnsOutcome, Host, HttpOutcome, HttpRequest, PingOutcome, QueryType};
use crate::clock::Millis;
use crate::runtime::fs::{basename, WriteMode};

/// busybox's progress line as printed when standard error is not a terminal. Informed guess at the bar
/// width (busybox derives it from the terminal width, 80 columns when unknown).
fn progress(name: &str, size: u64) -> String {
    let mut s = size;
    let mut i = 0;
    while s >= 100_000 {
        i += 1;
        s >>= 10;
    }
    let unit = [' ', 'k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'][i.min(8)];
    let shown: String = name.chars().take(20).collect();
    format!("{:<20}{:>4}% |{}|{:>6}{} 0:00:00 ETA\n", shown, 100, "*".repeat(32), s, unit)
}

impl Process {
    pub(super) fn wget(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let mut quiet = false;
        let mut spider = false;
        let mut out_file: Option<String> = None;
        let mut prefix: Option<String> = None;
        let mut timeout_s: u64 = 900;
        let mut url: Option<String> = None;
        let mut i = 0;
        while i < args.len() {
            let a = args[i].as_str();
            let take = |i: &mut usize| {
                *i += 1;
                args.get(*i).cloned().unwrap_or_default()
            };
            match a {
                "-q" | "--quiet" => quiet = true,
                "--spider" => spider = true,
                "-O" => out_file = Some(take(&mut i)),
                "-P" => prefix = Some(take(&mut i)),
                "-T" => timeout_s = take(&mut i).parse().unwrap_or(900),
                "-U" | "-Y" | "--header" | "-o" | "-t" => {
                    take(&mut i);
                }
                _ if a.starts_with("--timeout=") => timeout_s = a[10..].parse().unwrap_or(900),
                _ if a.starts_with("--output-document=") => out_file = Some(a[18..].to_string()),
                _ if a.starts_with("-O") && a.len() > 2 => out_file = Some(a[2..].to_string()),
                _ if a.starts_with("-T") && a.len() > 2 => timeout_s = a[2..].parse().unwrap_or(900),
                _ if a.starts_with("-q") && a.len() > 2 => {
                    quiet = true;
                    let rest = &a[2..];
                    if let Some(o) = rest.strip_prefix('O') {
                        out_file = Some(if o.is_empty() { take(&mut i) } else { o.to_string() });
                    }
                }
                _ if a.starts_with("--") => {}
                _ if a.starts_with('-') && a.len() > 1 => {}
                _ => url = Some(a.to_string()),
            }
            i += 1;
        }
        let Some(url) = url else {
            self.write_err(host, "Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n");
            return 1;
        };
        let full = if url.contains("://") { url.clone() } else { format!("http://{url}") };
        let rest = full.split_once("://").map(|(_, r)| r).unwrap_or("");
        let hostport = rest.split(['/', '?', '#']).next().unwrap_or("").to_string();
        let hostname = hostport.rsplit_once(':').map(|(h, _)| h.to_string()).unwrap_or_else(|| hostport.clone());
        let path = &rest[hostport.len()..];
        let fname = match &out_file {
            Some(f) => f.clone(),
            None => {
                let p = path.split(['?', '#']).next().unwrap_or("");
                let b = p.rsplit('/').next().unwrap_or("");
                let b = if b.is_empty() { "index.html" } else { b };
                match &prefix {
                    Some(d) => format!("{}/{}", d.trim_end_matches('/'), b),
                    None => b.to_string(),
                }
            }
        };
        let timeout_ms = timeout_s.saturating_mul(1000);
        let outcome = host.http_get(&full, timeout_ms);
        let refused_or_unreachable =
            if matches!(outcome, HttpOutcome::Unreachable { .. }) { "No route to host" } else { "Connection refused" };
        let connecting = |ip: &str, port: u16| format!("Connecting to {hostport} ({ip}:{port})\n");
        match outcome {
            HttpOutcome::BadAddress => {
                self.write_err(host, &format!("wget: bad address '{hostname}'\n"));
                1
            }
            HttpOutcome::Refused { ip, port } | HttpOutcome::Unreachable { ip, port } => {
                if !quiet {
                    self.write_err(host, &connecting(&ip, port));
                }
                self.write_err(
                    host,
                    &format!("wget: can't connect to remote host ({ip}): {why}\n", why = refused_or_unreachable),
                );
                1
            }
            HttpOutcome::TimedOut { ip, port }
            | HttpOutcome::EmptyReply { ip, port }
            | HttpOutcome::NotHttp { ip, port } => {
                if !quiet {
                    self.write_err(host, &connecting(&ip, port));
                }
                self.wake = Some(self.now.saturating_add(timeout_ms));
                self.defer(true, "wget: download timed out\n".into());
                1
            }
            HttpOutcome::Response { ip, port, status, reason, body, .. } => {
                if !quiet {
                    self.write_err(host, &connecting(&ip, port));
                }
                if !(200..300).contains(&status) {
                    self.write_err(host, &format!("wget: server returned error: HTTP/1.1 {status} {reason}\n"));
                    return 1;
                }
                if spider {
                    if !quiet {
                        // Informed guess at the spider's message.
                        self.write_err(host, "remote file exists\n");
                    }
                    return 0;
                }
                if fname == "-" {
                    if !quiet {
                        self.write_err(host, "writing to stdout\n");
                    }
                    self.write_out(host, &body);
                    if !quiet {
                        self.write_err(host, &progress("-", body.len() as u64));
                        self.write_err(host, "written to stdout\n");
                    }
                    return 0;
                }
                let p = self.path(&fname);
                let mode = if out_file.is_some() { WriteMode::Truncate } else { WriteMode::CreateNew };
                if let Err(e) = host.fs().write(&p, &body, mode, self.now) {
                    self.write_err(host, &format!("wget: can't open '{fname}': {}\n", e.strerror()));
                    return 1;
                }
                if !quiet {
                    self.write_err(host, &format!("saving to '{fname}'\n"));
                    self.write_err(host, &progress(basename(&fname), body.len() as u64));
                    self.write_err(host, &format!("'{fname}' saved\n"));
                }
                0
            }
        }
    }

    /// `curl [-sSfIiv] [-o FILE|-O] [-w FMT] [-m SECS] [-A AGENT] URL`, worded as the installed curl words it
    /// ([`Host::curl_version`]: minikube's nodes have 7.81.0, nginx's Debian image 7.88.1, Alpine images 8.x).
    /// The error texts follow curl's `failf` calls; which release changed which wording is an informed reading of
    /// curl's history (7.87 reworded connect failures to curl's own error text, 8.x says "Could not" where older
    /// releases said "Couldn't"). The progress meter goes to standard error unless `-s`, or output goes to a
    /// terminal; its speeds assume a 1 ms transfer inside the cluster and 100 ms to the internet.
    pub(super) fn curl(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let version = host.curl_version().unwrap_or_else(|| "7.81.0".into());
        let mut o = CurlOptions::default();
        let mut i = 0;
        while i < args.len() {
            let a = args[i].as_str();
            let mut take = || {
                i += 1;
                args.get(i).cloned().unwrap_or_default()
            };
            match a {
                "--silent" => o.silent = true,
                "--show-error" => o.show_error = true,
                "--fail" => o.fail = true,
                "--head" => o.head = true,
                "--include" => o.include = true,
                "--verbose" => o.verbose = true,
                "--remote-name" => o.remote_name = true,
                "--write-out" => o.write_out = Some(take()),
                "--output" => o.out_file = Some(take()),
                "--user-agent" => o.agent = Some(take()),
                "--request" => o.method = Some(take()),
                "--max-time" => o.max_ms = secs_to_ms(&take()),
                "--connect-timeout" => o.connect_ms = secs_to_ms(&take()),
                "--header" | "--data" | "--data-raw" | "--user" | "--resolve" | "--retry" => {
                    take();
                }
                _ if a.starts_with("--") => {}
                _ if a.starts_with('-') && a.len() > 1 => {
                    // Bundled short options (`-sSf`, `-sI`); a value-taking one ends the bundle.
                    let letters: Vec<char> = a[1..].chars().collect();
                    for (k, c) in letters.iter().enumerate() {
                        let inline: String = letters[k + 1..].iter().collect();
                        match c {
                            's' => o.silent = true,
                            'S' => o.show_error = true,
                            'f' => o.fail = true,
                            'I' => o.head = true,
                            'i' => o.include = true,
                            'v' => o.verbose = true,
                            'O' => o.remote_name = true,
                            'o' | 'm' | 'H' | 'A' | 'X' | 'd' | 'w' | 'u' => {
                                let v = if inline.is_empty() { take() } else { inline };
                                match c {
                                    'o' => o.out_file = Some(v),
                                    'm' => o.max_ms = secs_to_ms(&v),
                                    'w' => o.write_out = Some(v),
                                    'A' => o.agent = Some(v),
                                    'X' => o.method = Some(v),
                                    _ => {}
                                }
                                break;
                            }
                            _ => {}
                        }
                    }
                }
                _ => {
                    if o.url.is_none() {
                        o.url = Some(a.to_string());
                    }
                }
            }
            i += 1;
        }
        let Some(url) = o.url.clone() else {
            self.write_err(host, "curl: try 'curl --help' or 'curl --manual' for more information\n");
            return 2;
        };
        let full = if url.contains("://") { url.clone() } else { format!("http://{url}") };
        let (scheme, rest) = full.split_once("://").unwrap_or(("http", ""));
        let hostport = rest.split(['/', '?', '#']).next().unwrap_or("").to_string();
        let default_port = if scheme == "https" { 443 } else { 80 };
        let (hostname, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse::<u16>().unwrap_or(default_port)),
            None => (hostport.clone(), default_port),
        };
        let path = &rest[hostport.len()..];
        let effective = if path.is_empty() { format!("{full}/") } else { full.clone() };
        let method = match &o.method {
            Some(m) => m.clone(),
            None if o.head => "HEAD".into(),
            None => "GET".into(),
        };
        let agent = o.agent.clone().unwrap_or_else(|| format!("curl/{version}"));
        // The earlier of `-m` and `--connect-timeout` ends a connection attempt nothing answers.
        let limit = match (o.max_ms, o.connect_ms) {
            (0, c) => c,
            (m, 0) => m,
            (m, c) => m.min(c),
        };
        let request =
            HttpRequest { url: full.clone(), method: method.clone(), agent: agent.clone(), timeout_ms: limit };
        let outcome = host.http_request(&request);
        let meter = !o.silent && (o.out_file.is_some() || o.remote_name || !host.stdout_is_tty());
        let quiet_errors = o.silent && !o.show_error;
        if meter {
            self.write_err(host, PROGRESS_HEADER);
            self.write_err(host, &format!("\r{}", meter_line(0, 0, 0, None)));
        }
        let mut w = WriteOut { effective: effective.clone(), ..Default::default() };
        let failure = match outcome {
            HttpOutcome::Response { ip, port: rport, status, reason, headers, body } => {
                w.code = status;
                w.remote = Some((ip.clone(), rport));
                w.content_type =
                    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.clone());
                let announced = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.parse::<u64>().ok())
                    .unwrap_or(body.len() as u64);
                let mut head_text = format!("HTTP/1.1 {status} {reason}\r\n");
                for (k, v) in &headers {
                    head_text.push_str(&format!("{k}: {v}\r\n"));
                }
                head_text.push_str("\r\n");
                if o.verbose {
                    let target = if path.is_empty() { "/" } else { path };
                    let v =
                        verbose_trace(&version, &hostname, &ip, rport, &head_text, &method, target, &hostport, &agent);
                    self.write_err(host, &v);
                }
                if o.fail && status >= 400 {
                    if meter {
                        self.write_err(host, &format!("\r{}\n", meter_line(0, 0, 0, None)));
                    }
                    let text = if at_least(&version, 7, 76) {
                        format!("The requested URL returned error: {status}")
                    } else {
                        format!("The requested URL returned error: {status} {reason}")
                    };
                    Some((22, text, 0))
                } else {
                    let mut out = String::new();
                    if o.head || o.include {
                        out.push_str(&head_text);
                    }
                    if method != "HEAD" {
                        out.push_str(&body);
                    }
                    w.size = if method == "HEAD" { 0 } else { body.len() as u64 };
                    let target = match &o.out_file {
                        Some(f) if f != "-" => Some(f.clone()),
                        Some(_) => None,
                        None if o.remote_name => {
                            let name = path.split(['?', '#']).next().unwrap_or("").rsplit('/').next().unwrap_or("");
                            if name.is_empty() {
                                // Informed guess at the wording of curl's check.
                                self.write_err(host, "curl: Remote file name has no length!\n");
                                return 23;
                            }
                            Some(name.to_string())
                        }
                        None => None,
                    };
                    let mut failed = None;
                    match target {
                        Some(f) if f == "/dev/null" => {}
                        Some(f) => {
                            let p = self.path(&f);
                            if let Err(e) = host.fs().write(&p, &out, WriteMode::Truncate, self.now) {
                                if !quiet_errors {
                                    let msg = format!("Warning: Failed to open the file {f}: {}\n", e.strerror());
                                    self.write_err(host, &msg);
                                }
                                failed = Some((23, "Failure writing output to destination".to_string(), 0));
                            }
                        }
                        None => self.write_out(host, &out),
                    }
                    if o.verbose {
                        // Without a terminal the trace notes the data instead of showing it.
                        if method != "HEAD" && !host.stdout_is_tty() {
                            self.write_err(host, &format!("{{ [{} bytes data]\n", body.len()));
                        }
                    }
                    if meter {
                        let private = ["10.", "192.168.", "127.", "172."].iter().any(|p| ip.starts_with(p));
                        let ms = if private { 1 } else { 100 };
                        let speed = w.size * 1000 / ms;
                        let total = if method == "HEAD" { announced } else { w.size.max(announced) };
                        self.write_err(host, &format!("\r{}\n", meter_line(total, w.size, speed, None)));
                    }
                    if o.verbose {
                        self.write_err(host, &format!("* Connection #0 to host {hostname} left intact\n"));
                    }
                    failed
                }
            }
            HttpOutcome::BadAddress => {
                if meter {
                    self.write_err(host, "\n");
                }
                Some((6, format!("Could not resolve host: {hostname}"), 0))
            }
            HttpOutcome::EmptyReply { .. } => {
                if meter {
                    self.write_err(host, "\n");
                }
                Some((52, "Empty reply from server".to_string(), 0))
            }
            HttpOutcome::NotHttp { .. } => {
                if meter {
                    self.write_err(host, "\n");
                }
                Some((1, "Received HTTP/0.9 when not allowed".to_string(), 0))
            }
            HttpOutcome::Refused { .. } => {
                if meter {
                    self.write_err(host, "\n");
                }
                let why = connect_failure(&version, false);
                Some((7, format!("Failed to connect to {hostname} port {port} after 0 ms: {why}"), 0))
            }
            HttpOutcome::TimedOut { .. } | HttpOutcome::Unreachable { .. } => {
                if limit > 0 {
                    // curl waits out its limit, then gives up.
                    Some((28, format!("Connection timed out after {limit} milliseconds"), limit))
                } else {
                    // The kernel's SYN retries give up after about two minutes; the command returns at once here.
                    if meter {
                        self.write_err(host, "\n");
                    }
                    let why = connect_failure(&version, true);
                    Some((28, format!("Failed to connect to {hostname} port {port} after 129000 ms: {why}"), 0))
                }
            }
        };
        let Some((code, text, wait)) = failure else {
            if let Some(fmt) = &o.write_out {
                self.write_out(host, &w.expand(fmt, 0));
            }
            return 0;
        };
        let mut err = String::new();
        if wait > 0 && meter {
            err.push_str(&format!("\r{}\n", meter_line(0, 0, 0, Some(wait / 1000))));
        }
        if !quiet_errors {
            err.push_str(&format!("curl: ({code}) {text}\n"));
        }
        let out = o.write_out.as_ref().map(|fmt| w.expand(fmt, code)).unwrap_or_default();
        if wait > 0 {
            self.wake = Some(self.now.saturating_add(wait));
            if !err.is_empty() {
                self.defer(true, err);
            }
            if !out.is_empty() {
                self.defer(false, out);
            }
        } else {
            self.write_err(host, &err);
            self.write_out(host, &out);
        }
        code
    }

    pub(super) fn nslookup(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let ops: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        let Some(name) = ops.first() else {
            self.write_err(host, "Usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n");
            return 1;
        };
        let asked = args.iter().rev().find_map(|a| a.strip_prefix("-type=").or_else(|| a.strip_prefix("-query=")));
        let qtype = match asked.map(str::to_ascii_lowercase).as_deref() {
            None | Some("a") | Some("aaaa") => QueryType::A,
            Some("ptr") => QueryType::Ptr,
            Some("srv") => QueryType::Srv,
            Some(other) => {
                let msg = format!("kubeground: nslookup -type={other} is not simulated (A, AAAA, PTR and SRV are)\n");
                self.write_err(host, &msg);
                return 1;
            }
        };
        // An address asks for its PTR record (busybox's make_ptr).
        let (name, qtype) = match crate::network::parse_ipv4(name) {
            Some(_) if qtype == QueryType::A => (crate::network::dns::reverse_name(name), QueryType::Ptr),
            _ => (name.to_string(), qtype),
        };
        let name = &name;
        match host.lookup(name, qtype) {
            DnsOutcome::TimedOut => {
                self.write_out(host, ";; connection timed out; no servers could be reached\n\n");
                1
            }
            DnsOutcome::Answers { server, answers } => {
                let mut out = format!("Server:\t\t{server}\nAddress:\t{server}:53\n\n");
                let mut found = false;
                for a in answers {
                    match a {
                        DnsAnswer::Found { name, addresses } => {
                            found = true;
                            for ip in addresses {
                                out.push_str(&format!("Name:\t{name}\nAddress: {ip}\n"));
                            }
                            out.push('\n');
                        }
                        DnsAnswer::Cname { name, target, addresses } => {
                            found = true;
                            out.push_str(&format!("{name}\tcanonical name = {target}\n"));
                            for ip in addresses {
                                out.push_str(&format!("Name:\t{target}\nAddress: {ip}\n"));
                            }
                            out.push('\n');
                        }
                        DnsAnswer::NxDomain { name } => {
                            out.push_str(&format!("** server can't find {name}: NXDOMAIN\n\n"));
                        }
                        DnsAnswer::Ptr { name, targets } => {
                            found = true;
                            for t in targets {
                                out.push_str(&format!("{name}\tname = {t}\n"));
                            }
                            out.push('\n');
                        }
                        DnsAnswer::Srv { name, records } => {
                            found = true;
                            for (priority, weight, port, target) in records {
                                out.push_str(&format!("{name}\tservice = {priority} {weight} {port} {target}\n"));
                            }
                            out.push('\n');
                        }
                    }
                }
                self.write_out(host, &out);
                i32::from(!found)
            }
        }
    }

    pub(super) fn nc(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let mut verbose = false;
        let mut wait_s: Option<u64> = None;
        let mut ops = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            if a == "-w" {
                i += 1;
                wait_s = args.get(i).and_then(|w| w.parse().ok());
            } else if let Some(f) = a.strip_prefix('-').filter(|f| !f.is_empty()) {
                for c in f.chars() {
                    if c == 'v' {
                        verbose = true;
                    }
                }
                if let Some(w) = f.strip_prefix('w').or_else(|| f.split_once('w').map(|(_, w)| w)) {
                    if let Ok(w) = w.parse() {
                        wait_s = Some(w);
                    }
                }
            } else {
                ops.push(a.clone());
            }
            i += 1;
        }
        let (Some(h), Some(port)) = (ops.first().cloned(), ops.get(1).and_then(|p| p.parse::<u16>().ok())) else {
            self.write_err(
                host,
                "Usage: nc [OPTIONS] HOST PORT  - connect\nnc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen\n",
            );
            return 1;
        };
        // Informed guesses at nc's verbose texts.
        match host.tcp_connect(&h, port) {
            ConnectOutcome::Open { ip } => {
                if verbose {
                    self.write_err(host, &format!("{h} ({ip}:{port}) open\n"));
                }
                0
            }
            ConnectOutcome::Refused { ip } => {
                self.write_err(host, &format!("nc: {h} ({ip}:{port}): Connection refused\n"));
                1
            }
            ConnectOutcome::TimedOut { ip } => {
                let w = wait_s.unwrap_or(120);
                self.wake = Some(self.now.saturating_add(w.saturating_mul(1000)));
                self.defer(true, format!("nc: {h} ({ip}:{port}): Connection timed out\n"));
                1
            }
            ConnectOutcome::BadAddress => {
                self.write_err(host, &format!("nc: bad address '{h}'\n"));
                1
            }
        }
    }
}

/// The script a `ping` run amounts to: its lines, a second apart, then the statistics.
pub(super) fn ping_script(
    target: &str,
    count: Option<u32>,
    outcome: PingOutcome,
    quiet: bool,
) -> Result<String, String> {
    let (ip, reply) = match outcome {
        PingOutcome::BadAddress => return Err(format!("bad address '{target}'")),
        PingOutcome::Reply { ip, ttl, rtt_us } => {
            let ms = format!("{}.{:03}", rtt_us / 1000, rtt_us % 1000);
            (ip.clone(), Some((ttl, ms)))
        }
        PingOutcome::NoReply { ip } => (ip, None),
    };
    let mut s = format!("echo {};", quote(&format!("PING {target} ({ip}): 56 data bytes")));
    let line = |seq: &str, ttl: u8, ms: &str| format!("64 bytes from {ip}: seq={seq} ttl={ttl} time={ms} ms");
    match count {
        None => {
            s.push_str("__seq=0; while :; do ");
            if let (Some((ttl, ms)), false) = (&reply, quiet) {
                s.push_str(&format!("echo \"{}\"; ", line("$__seq", *ttl, ms)));
            }
            s.push_str("__seq=$((__seq+1)); sleep 1; done");
        }
        Some(n) => {
            for i in 0..n {
                if i > 0 {
                    s.push_str(" sleep 1;");
                }
                if let (Some((ttl, ms)), false) = (&reply, quiet) {
                    s.push_str(&format!(" echo {};", quote(&line(&i.to_string(), *ttl, ms))));
                }
            }
            let received = if reply.is_some() { n } else { 0 };
            let loss = ((n - received) * 100).checked_div(n).unwrap_or(0);
            let mut stats = format!(
                "\n--- {target} ping statistics ---\n{n} packets transmitted, {received} packets received, {loss}% packet loss"
            );
            if let Some((_, ms)) = &reply {
                if received > 0 {
                    stats.push_str(&format!("\nround-trip min/avg/max = {ms}/{ms}/{ms} ms"));
                }
            }
            if reply.is_none() && n > 0 {
                s.push_str(" sleep 1;");
            }
            s.push_str(&format!(" echo {};", quote(&stats)));
            s.push_str(if received > 0 { " true" } else { " false" });
        }
    }
    Ok(s)
}

/// curl's `-v` trace up to the response headers (an informed reconstruction of 7.x's and of 8.x's, which
/// first reports the name's addresses and that the request was sent).
#[allow(clippy::too_many_arguments)]
fn verbose_trace(
    version: &str,
    hostname: &str,
    ip: &str,
    port: u16,
    head_text: &str,
    method: &str,
    target: &str,
    hostport: &str,
    agent: &str,
) -> String {
    let modern = at_least(version, 8, 0);
    let mut v = String::new();
    if modern && crate::network::parse_ipv4(hostname).is_none() {
        v.push_str(&format!("* Host {hostname}:{port} was resolved.\n* IPv6: (none)\n* IPv4: {ip}\n"));
    }
    v.push_str(&format!("*   Trying {ip}:{port}...\n"));
    if modern {
        v.push_str(&format!("* Connected to {hostname} ({ip}) port {port}\n"));
    } else {
        v.push_str(&format!("* Connected to {hostname} ({ip}) port {port} (#0)\n"));
    }
    v.push_str(&format!(
        "> {method} {target} HTTP/1.1\r\n> Host: {hostport}\r\n> User-Agent: {agent}\r\n> Accept: */*\r\n> \r\n"
    ));
    if modern {
        v.push_str("* Request completely sent off\n");
    }
    for line in head_text.trim_end_matches("\r\n").split("\r\n") {
        v.push_str(&format!("< {line}\r\n"));
    }
    v.push_str("< \r\n");
    v
}

/// What `curl`'s command line asked for.
#[derive(Default)]
struct CurlOptions {
    silent: bool,
    show_error: bool,
    fail: bool,
    head: bool,
    include: bool,
    verbose: bool,
    remote_name: bool,
    out_file: Option<String>,
    write_out: Option<String>,
    agent: Option<String>,
    method: Option<String>,
    max_ms: Millis,
    connect_ms: Millis,
    url: Option<String>,
}

fn secs_to_ms(v: &str) -> Millis {
    (v.parse::<f64>().unwrap_or(0.0).max(0.0) * 1000.0) as Millis
}

/// Whether curl `version` (`7.88.1`) is at least `major.minor`.
fn at_least(version: &str, major: u32, minor: u32) -> bool {
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (a, b) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (a, b) >= (major, minor)
}

/// Why a connection failed, in the words of curl `version`: before 7.87 the system's error text (`Connection
/// refused`, `Connection timed out`), then curl's own (`Couldn't connect to server`, `Could not connect to
/// server` from 8.8 on; the release is an informed guess).
///
/// `("7.81.0", false)` → `Connection refused`; `("7.88.1", true)` → `Couldn't connect to server`.
fn connect_failure(version: &str, timed_out: bool) -> &'static str {
    if !at_least(version, 7, 87) {
        if timed_out {
            "Connection timed out"
        } else {
            "Connection refused"
        }
    } else if at_least(version, 8, 8) {
        "Could not connect to server"
    } else {
        "Couldn't connect to server"
    }
}

const PROGRESS_HEADER: &str = "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n";

/// curl's `max5data`: a number in at most five characters (`615`, `600k`, `1226k`, ` 9.5M`).
fn max5(n: u64) -> String {
    const K: u64 = 1024;
    const M: u64 = 1024 * 1024;
    if n < 100_000 {
        format!("{n:>5}")
    } else if n < 10_000 * K {
        format!("{:>4}k", n / K)
    } else if n < 100 * M {
        format!("{:>2}.{}M", n / M, (n % M) / (M / 10))
    } else {
        format!("{:>4}M", n / M)
    }
}

/// One line of curl's progress meter: `total` bytes expected, `got` received, the average speed, and the time
/// spent when it is shown (`--:--:--` otherwise).
///
/// `(615, 615, 615000, None)` → `100   615  100   615    0     0   600k      0 --:--:-- --:--:-- --:--:--  600k`.
fn meter_line(total: u64, got: u64, speed: u64, spent_s: Option<u64>) -> String {
    let pct = (got * 100).checked_div(total).unwrap_or(0);
    let spent = match spent_s {
        Some(s) => format!("{:>2}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60),
        None => "--:--:--".into(),
    };
    format!(
        "{pct:>3} {}  {pct:>3} {}  {:>3} {}  {}  {} --:--:-- {spent} --:--:-- {}",
        max5(total),
        max5(got),
        0,
        max5(0),
        max5(speed),
        max5(0),
        max5(speed)
    )
}

/// The values `-w`/`--write-out` can name.
#[derive(Default)]
struct WriteOut {
    code: u16,
    size: u64,
    content_type: Option<String>,
    remote: Option<(String, u16)>,
    effective: String,
}

impl WriteOut {
    /// Expands `%{http_code}`, `%{response_code}`, `%{size_download}`, `%{content_type}`, `%{remote_ip}`,
    /// `%{remote_port}`, `%{url_effective}`, `%{exitcode}`, `%%` and the escapes `\n`, `\t`, `\r`.
    fn expand(&self, fmt: &str, exit: i32) -> String {
        let (ip, port) = self.remote.clone().map(|(i, p)| (i, p.to_string())).unwrap_or_default();
        let mut out = String::new();
        let mut rest = fmt;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix("%{") {
                if let Some(end) = after.find('}') {
                    let value = match &after[..end] {
                        "http_code" | "response_code" => format!("{:03}", self.code),
                        "size_download" => self.size.to_string(),
                        "content_type" => self.content_type.clone().unwrap_or_default(),
                        "remote_ip" => ip.clone(),
                        "remote_port" => port.clone(),
                        "url_effective" => self.effective.clone(),
                        "exitcode" => exit.to_string(),
                        _ => String::new(),
                    };
                    out.push_str(&value);
                    rest = &after[end + 1..];
                    continue;
                }
            }
            if let Some(r) = rest.strip_prefix("%%") {
                out.push('%');
                rest = r;
                continue;
            }
            if let Some(r) = rest.strip_prefix('\\') {
                match r.chars().next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some(other) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => out.push('\\'),
                }
                rest = r.get(1..).unwrap_or("");
                continue;
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        out
    }
}

#[cfg(test)]
mod curl_tests {
    use super::*;

    #[test]
    fn meter_numbers_fit_five_characters() {
        assert_eq!(max5(615), "  615");
        assert_eq!(max5(615_000), " 600k");
        assert_eq!(max5(1_256_000), "1226k");
        assert_eq!(
            meter_line(615, 615, 615_000, None),
            "100   615  100   615    0     0   600k      0 --:--:-- --:--:-- --:--:--  600k"
        );
        assert_eq!(
            meter_line(0, 0, 0, Some(2)),
            "  0     0    0     0    0     0      0      0 --:--:--  0:00:02 --:--:--     0"
        );
    }

    #[test]
    fn wording_follows_the_release() {
        assert_eq!(connect_failure("7.81.0", false), "Connection refused");
        assert_eq!(connect_failure("7.81.0", true), "Connection timed out");
        assert_eq!(connect_failure("7.88.1", false), "Couldn't connect to server");
        assert_eq!(connect_failure("8.14.1", true), "Could not connect to server");
        let w = WriteOut { code: 200, size: 615, ..Default::default() };
        assert_eq!(w.expand("%{http_code} %{size_download}\\n", 0), "200 615\n");
    }
}
