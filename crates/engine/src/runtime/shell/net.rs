//! `wget`, `nslookup`, `ping`, `nc`: busybox's output, formatted from what the [`Host`] network answers.

use super::exec::{quote, Process};
use super::{ConnectOutcome, DnsAnswer, DnsOutcome, Host, HttpOutcome, PingOutcome, QueryType};
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
            HttpOutcome::TimedOut { ip, port } => {
                if !quiet {
                    self.write_err(host, &connecting(&ip, port));
                }
                self.wake = Some(self.now.saturating_add(timeout_ms));
                self.defer(true, "wget: download timed out\n".into());
                1
            }
            HttpOutcome::Response { ip, port, status, reason, body } => {
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

    /// `curl [-s] [-f] [-o FILE] [-m SECS] [-I] URL`: curl 7.81's messages (Ubuntu 22.04, minikube's node
    /// image; the wording of errors follows curl's `failf` texts, informed rather than captured).
    pub(super) fn curl(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let mut silent = false;
        let mut show_error = false;
        let mut fail = false;
        let mut head = false;
        let mut out_file: Option<String> = None;
        let mut max_ms: Millis = 0;
        let mut url: Option<String> = None;
        let mut write_out: Option<String> = None;
        let mut i = 0;
        while i < args.len() {
            let a = args[i].as_str();
            let mut take = || {
                i += 1;
                args.get(i).cloned().unwrap_or_default()
            };
            match a {
                "--silent" => silent = true,
                "--show-error" => show_error = true,
                "--fail" => fail = true,
                "--head" => head = true,
                "--write-out" => write_out = Some(take()),
                "--output" => out_file = Some(take()),
                "--max-time" | "--connect-timeout" => {
                    max_ms = (take().parse::<f64>().unwrap_or(0.0) * 1000.0) as Millis
                }
                "--header" | "--user-agent" | "--request" | "--data" => {
                    take();
                }
                _ if a.starts_with("--") => {}
                _ if a.starts_with('-') && a.len() > 1 => {
                    // Bundled short options (`-sSf`, `-sI`); a value-taking one ends the bundle.
                    let letters: Vec<char> = a[1..].chars().collect();
                    for (k, c) in letters.iter().enumerate() {
                        let inline: String = letters[k + 1..].iter().collect();
                        match c {
                            's' => silent = true,
                            'S' => show_error = true,
                            'f' => fail = true,
                            'I' => head = true,
                            'o' | 'm' | 'H' | 'A' | 'X' | 'd' | 'w' => {
                                let v = if inline.is_empty() { take() } else { inline };
                                match c {
                                    'o' => out_file = Some(v),
                                    'm' => max_ms = (v.parse::<f64>().unwrap_or(0.0) * 1000.0) as Millis,
                                    'w' => write_out = Some(v),
                                    _ => {}
                                }
                                break;
                            }
                            _ => {}
                        }
                    }
                }
                _ => url = Some(a.to_string()),
            }
            i += 1;
        }
        if head {
            self.write_err(
                host,
                "kubeground: curl -I (response headers) is not simulated; try -o /dev/null -w '%{http_code}'\n",
            );
            return 2;
        }
        let Some(url) = url else {
            self.write_err(host, "curl: try 'curl --help' or 'curl --manual' for more information\n");
            return 2;
        };
        let full = if url.contains("://") { url.clone() } else { format!("http://{url}") };
        let rest = full.split_once("://").map(|(_, r)| r).unwrap_or("");
        let hostport = rest.split(['/', '?', '#']).next().unwrap_or("").to_string();
        let (hostname, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse::<u16>().unwrap_or(80)),
            None => (hostport.clone(), 80),
        };
        // `-s` hides curl's error messages unless `-S` brings them back; `-w` still prints after the error, with
        // `000` as the status of a transfer that got no response.
        let quiet_errors = silent && !show_error;
        let (code, message) = match host.http_get(&full, max_ms) {
            HttpOutcome::Response { status, body, .. } => {
                if fail && status >= 400 {
                    (22, format!("curl: (22) The requested URL returned error: {status}\n"))
                } else {
                    match &out_file {
                        Some(f) if f == "/dev/null" => {}
                        Some(f) if f != "-" => {
                            let p = self.path(f);
                            if let Err(e) = host.fs().write(&p, &body, WriteMode::Truncate, 0o644) {
                                let msg = format!("curl: (23) Failure writing output to destination: {e}\n");
                                if !quiet_errors {
                                    self.write_err(host, &msg);
                                }
                                return 23;
                            }
                        }
                        _ => self.write_out(host, &body),
                    }
                    if let Some(w) = &write_out {
                        let w = w.replace("%{http_code}", &format!("{status:03}")).replace("\\n", "\n");
                        self.write_out(host, &w);
                    }
                    return 0;
                }
            }
            HttpOutcome::BadAddress => (6, format!("curl: (6) Could not resolve host: {hostname}\n")),
            HttpOutcome::Refused { ip, port } => {
                (7, format!("curl: (7) Failed to connect to {ip} port {port} after 0 ms: Connection refused\n"))
            }
            HttpOutcome::TimedOut { .. } | HttpOutcome::Unreachable { .. } => {
                if max_ms > 0 {
                    (28, format!("curl: (28) Connection timed out after {max_ms} milliseconds\n"))
                } else {
                    (
                        28,
                        format!(
                            "curl: (28) Failed to connect to {hostname} port {port} after 129000 ms: Connection timed \
                             out\n"
                        ),
                    )
                }
            }
        };
        if !quiet_errors {
            self.write_err(host, &message);
        }
        if let Some(w) = &write_out {
            let w = w.replace("%{http_code}", "000").replace("\\n", "\n");
            self.write_out(host, &w);
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
