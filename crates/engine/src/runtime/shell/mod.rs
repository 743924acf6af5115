//! A small busybox-ash: the shell and the commands that simulated `busybox`/`alpine`-style containers run.
//!
//! A script is parsed once ([`Program::parse`]) and compiled to flat operations; a [`Process`] runs it
//! against a [`Host`] (the kubelet's view of the container: clock, filesystem, output, network).
//!
//! **Resumable.** [`Process::run`] executes until the script ends ([`Poll::Exited`]) or has to wait
//! ([`Poll::SleepUntil`]): `sleep`, `wait`, `tail -f`, a network timeout. Call `run` again at or after that
//! instant and it continues exactly where it stopped — inside loops, `&&` chains, functions and nested
//! `sh -c`. Calling earlier is harmless: it answers the same `SleepUntil`.
//!
//! **Bounded.** One `run` executes at most [`Limits::ops_per_run`] operations (a simple command, a jump,
//! a loop step each count one). When the budget runs out it answers `SleepUntil(now +
//! Limits::slice_ms)`: a busy loop such as `while true; do :; done` gets a time slice per simulated second
//! instead of hanging the engine.
//!
//! **Deterministic.** No clock, IO or randomness but what the [`Host`] answers; ordered maps only.
//!
//! ```
//! use std::collections::BTreeMap;
//! use engine::runtime::fs::MemFs;
//! use engine::runtime::shell::{Poll, Process, Program, TestHost};
//!
//! let prog = Program::parse("echo hi; sleep 5; echo bye").unwrap();
//! let mut p = Process::new(prog, vec!["sh".into()], BTreeMap::new());
//! let mut host = TestHost::new(MemFs::new());
//! assert_eq!(p.run(&mut host), Poll::SleepUntil(5000));
//! assert_eq!(host.out, "hi\n");
//! host.now = 5000;
//! assert_eq!(p.run(&mut host), Poll::Exited(0));
//! assert_eq!(host.out, "hi\nbye\n");
//! ```
//!
//! **Signals.** [`Process::signal`] with `TERM`/`INT`/…: a PID 1 shell without a trap ignores it (as the
//! kernel does for PID 1 of a PID namespace — why `sleep 3600` takes the whole grace period); with
//! `trap 'cmd' TERM` the handler runs when the shell is next between commands: at once if it is in
//! `wait` (which then returns 143), else after the foreground command (a running `sleep` is *not*
//! interrupted — busybox's sleep restarts on `EINTR`). After `signal` answers
//! [`SignalOutcome::Pending`], call `run` to let the handler run. `KILL` ends the process at once.
//!
//! **Not supported** (documented gaps): `set -e`/`-u`/`-x` are accepted and ignored; background jobs other
//! than `sleep` run inline (`cmd &` runs `cmd` to completion in a subshell; `sleep N &` becomes a job that
//! `wait` waits for); `IFS` splitting treats every `IFS` character as white space; `env` lists the
//! environment in name order; `tail -f` prints the tail and then blocks for ever without following.

mod cmds;
mod code;
mod exec;
mod expand;
mod net;
pub(crate) mod parse;
pub(crate) mod text;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::clock::Millis;

use super::fs::{Fs, MemFs};

pub use exec::Process;
pub use text::civil_from_days;

/// A parsed and compiled script.
///
/// ```
/// use engine::runtime::shell::Program;
/// assert!(Program::parse("while true; do date; sleep 1; done").is_ok());
/// assert_eq!(Program::parse("done").unwrap_err(), "syntax error: unexpected \"done\"");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    code: Arc<code::Code>,
}

impl Program {
    /// Parse a script. The error is ash's text without the `sh: ` prefix (the shell prints it after its
    /// `$0`), e.g. `syntax error: unexpected end of file (expecting "done")`.
    pub fn parse(src: &str) -> Result<Program, String> {
        let ast = parse::parse(src)?;
        Ok(Program { code: code::compile(&ast) })
    }
}

/// What [`Process::run`] answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Poll {
    /// The process ended with this status (128+N when killed by signal N).
    Exited(i32),
    /// Call `run` again at (or after) this simulated instant.
    SleepUntil(Millis),
}

/// Signals a process can be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Signal {
    Hup,
    Int,
    Quit,
    Kill,
    Usr1,
    Usr2,
    Term,
}

impl Signal {
    /// The Linux signal number.
    pub fn number(self) -> i32 {
        match self {
            Signal::Hup => 1,
            Signal::Int => 2,
            Signal::Quit => 3,
            Signal::Kill => 9,
            Signal::Usr1 => 10,
            Signal::Usr2 => 12,
            Signal::Term => 15,
        }
    }
    /// The name without `SIG`: `TERM`.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Hup => "HUP",
            Signal::Int => "INT",
            Signal::Quit => "QUIT",
            Signal::Kill => "KILL",
            Signal::Usr1 => "USR1",
            Signal::Usr2 => "USR2",
            Signal::Term => "TERM",
        }
    }
    /// `TERM`, `SIGTERM`, `term` or `15`.
    pub fn parse(s: &str) -> Option<Signal> {
        let u = s.to_ascii_uppercase();
        let u = u.strip_prefix("SIG").unwrap_or(&u);
        [Signal::Hup, Signal::Int, Signal::Quit, Signal::Kill, Signal::Usr1, Signal::Usr2, Signal::Term]
            .into_iter()
            .find(|sig| sig.name() == u || sig.number().to_string() == u)
    }
}

/// What became of a signal sent with [`Process::signal`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalOutcome {
    /// Nothing happens (PID 1 without a handler, or `trap '' SIG`).
    Ignored,
    /// A `trap` handler will run at the next `run` once the shell is between commands.
    Pending,
    /// The process ended with this status (128 + signal number).
    Terminated(i32),
}

/// Work allowed per [`Process::run`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Operations per `run` call.
    pub ops_per_run: u32,
    /// How long a process that used up its budget waits for its next slice.
    pub slice_ms: Millis,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { ops_per_run: 5_000, slice_ms: 1_000 }
    }
}

/// An HTTP GET as the network answered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HttpOutcome {
    /// A response from `ip:port` (the address `wget` prints in `Connecting to host (ip:port)`).
    /// `headers`: the response's header fields in the order the server sends them (for `curl -I`/`-i`).
    Response { ip: String, port: u16, status: u16, reason: String, headers: Vec<(String, String)>, body: String },
    /// The name did not resolve: `wget: bad address 'x'`.
    BadAddress,
    /// `wget: can't connect to remote host (ip): Connection refused`.
    Refused { ip: String, port: u16 },
    /// Nothing answered: `wget` waits its timeout (`-T`, default 900 s), then `wget: download timed out`.
    TimedOut { ip: String, port: u16 },
    /// `wget: can't connect to remote host (ip): No route to host`.
    Unreachable { ip: String, port: u16 },
    /// The server closed the connection without a reply (curl: `(52) Empty reply from server`).
    EmptyReply { ip: String, port: u16 },
    /// The server answered in another protocol (curl: `(1) Received HTTP/0.9 when not allowed`).
    NotHttp { ip: String, port: u16 },
}

/// An HTTP request with its method and client (for `curl`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub url: String,
    /// `GET` or `HEAD`.
    pub method: String,
    /// The `User-Agent` header (`curl/7.88.1`), which servers write into their access logs.
    pub agent: String,
    /// `-m`/`--max-time` in milliseconds; 0: none.
    pub timeout_ms: Millis,
}

/// One answer of a DNS query, for `nslookup`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsAnswer {
    /// `Name:\t<name>` then `Address: <ip>` lines.
    Found { name: String, addresses: Vec<String> },
    /// `<name>\tcanonical name = <target>`, then the target's `Name:`/`Address:` lines.
    Cname { name: String, target: String, addresses: Vec<String> },
    /// `** server can't find <name>: NXDOMAIN`.
    NxDomain { name: String },
    /// `<name>\tname = <target>` per PTR record (a reverse lookup).
    Ptr { name: String, targets: Vec<String> },
    /// `<name>\tservice = <priority> <weight> <port> <target>` per SRV record.
    Srv { name: String, records: Vec<(u16, u16, u16, String)> },
}

/// The record type `nslookup` asks for (`-type=…`; an address argument asks for its PTR record).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryType {
    A,
    Ptr,
    Srv,
}

/// What `nslookup` is told: the server it asked and the answers in the order busybox prints them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsOutcome {
    Answers {
        server: String,
        answers: Vec<DnsAnswer>,
    },
    /// No server answered: `;; connection timed out; no servers could be reached`.
    TimedOut,
}

/// A TCP connection attempt (`nc -z`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectOutcome {
    Open { ip: String },
    Refused { ip: String },
    TimedOut { ip: String },
    BadAddress,
}

/// One `ping` echo request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PingOutcome {
    /// A reply after `rtt_us` microseconds.
    Reply {
        ip: String,
        ttl: u8,
        rtt_us: u32,
    },
    /// The address resolved but nothing replied (Service IPs do not answer ICMP).
    NoReply {
        ip: String,
    },
    BadAddress,
}

/// The world a process runs in, provided by the kubelet. Network calls have defaults (a name never
/// resolves) so a host can start without a network.
pub trait Host {
    /// Simulated milliseconds since the clock's epoch (`engine::clock`; `date` shows time 0 as
    /// `Wed Aug 27 00:00:00 UTC 2025`).
    fn now(&self) -> Millis;
    /// The container's filesystem.
    fn fs(&mut self) -> &mut dyn Fs;
    /// Standard output (the kubelet timestamps it into the container log).
    fn stdout(&mut self, text: &str);
    fn stderr(&mut self, text: &str);
    fn hostname(&self) -> String;
    /// `GET url` with this timeout (for `wget`).
    fn http_get(&mut self, _url: &str, _timeout_ms: Millis) -> HttpOutcome {
        HttpOutcome::BadAddress
    }
    /// Resolve a name (for `nslookup`).
    fn lookup(&mut self, _name: &str, _qtype: QueryType) -> DnsOutcome {
        DnsOutcome::TimedOut
    }
    fn tcp_connect(&mut self, _host: &str, _port: u16) -> ConnectOutcome {
        ConnectOutcome::BadAddress
    }
    fn ping(&mut self, _host: &str) -> PingOutcome {
        PingOutcome::BadAddress
    }
    /// Whether `curl` is installed (minikube's nodes have it; busybox images do not).
    fn has_curl(&self) -> bool {
        self.curl_version().is_some()
    }
    /// The version of the installed `curl` (`7.88.1`), which decides its messages' wording.
    fn curl_version(&self) -> Option<String> {
        None
    }
    /// An HTTP request as curl makes it (its method and User-Agent); by default what [`Host::http_get`] answers.
    fn http_request(&mut self, request: &HttpRequest) -> HttpOutcome {
        self.http_get(&request.url, request.timeout_ms)
    }
    /// Whether standard output is a terminal (`kubectl exec -t`): curl shows no progress meter then.
    fn stdout_is_tty(&self) -> bool {
        false
    }
    /// Whether `sudo` is installed (minikube's nodes have it; images do not). A `sudo CMD` the host does not
    /// answer itself through [`Host::host_command`] runs `CMD` as the shell would.
    fn has_sudo(&self) -> bool {
        false
    }
    /// A command the host provides beyond the image's applets (a node's `iptables`, `sudo`): its standard
    /// output, standard error and exit code, or `None` when the host has no such command.
    fn host_command(&mut self, _name: &str, _args: &[String]) -> Option<(String, String, i32)> {
        None
    }
}

/// A [`Host`] for tests and examples: a [`MemFs`], collected output, a settable clock, canned network
/// answers.
#[derive(Clone, Debug, Default)]
pub struct TestHost {
    pub now: Millis,
    pub fs: MemFs,
    pub out: String,
    pub err: String,
    pub hostname: String,
    pub http: BTreeMap<String, HttpOutcome>,
    pub dns: BTreeMap<String, DnsOutcome>,
    pub tcp: BTreeMap<(String, u16), ConnectOutcome>,
    pub pings: BTreeMap<String, PingOutcome>,
    /// Whether `curl` is installed.
    pub curl: bool,
}

impl TestHost {
    pub fn new(fs: MemFs) -> Self {
        TestHost { fs, hostname: "test-pod".into(), ..Default::default() }
    }
}

impl Host for TestHost {
    fn now(&self) -> Millis {
        self.now
    }
    fn fs(&mut self) -> &mut dyn Fs {
        &mut self.fs
    }
    fn stdout(&mut self, text: &str) {
        self.out.push_str(text);
    }
    fn stderr(&mut self, text: &str) {
        self.err.push_str(text);
    }
    fn hostname(&self) -> String {
        self.hostname.clone()
    }
    fn curl_version(&self) -> Option<String> {
        self.curl.then(|| "7.81.0".to_string())
    }
    fn http_get(&mut self, url: &str, _timeout_ms: Millis) -> HttpOutcome {
        self.http.get(url).cloned().unwrap_or(HttpOutcome::BadAddress)
    }
    fn lookup(&mut self, name: &str, _qtype: QueryType) -> DnsOutcome {
        self.dns.get(name).cloned().unwrap_or(DnsOutcome::TimedOut)
    }
    fn tcp_connect(&mut self, host: &str, port: u16) -> ConnectOutcome {
        self.tcp.get(&(host.to_string(), port)).cloned().unwrap_or(ConnectOutcome::BadAddress)
    }
    fn ping(&mut self, host: &str) -> PingOutcome {
        self.pings.get(host).cloned().unwrap_or(PingOutcome::BadAddress)
    }
}
