//! The inside of simulated containers: their filesystem ([`fs`]) and the busybox-style shell that runs
//! their commands ([`shell`]). Pure and resumable: the kubelet lends a [`shell::Host`] (clock,
//! filesystem, output, network) to [`shell::Process::run`] and gets back when to call again.
//!
//! How the kubelet uses it:
//!
//! ```
//! use std::collections::BTreeMap;
//! use engine::runtime::fs::{LayeredFs, MemFs, Mount};
//! use engine::runtime::shell::{Poll, Process};
//!
//! // The image, the container's writable layer, the pod's volumes.
//! let image = MemFs::from_files([("/etc/os-release", "NAME=busybox\n")], ["/tmp", "/bin"]);
//! let mut upper = MemFs::new();
//! let mut volumes = BTreeMap::from([("html".to_string(), MemFs::new())]);
//!
//! let argv: Vec<String> = ["sh", "-c", "while true; do date >> /html/index.html; sleep 10; done"]
//!     .iter().map(|s| s.to_string()).collect();
//! let mut p = Process::spawn(&argv, BTreeMap::new()).unwrap();
//!
//! struct Kubelet<'a> { now: u64, fs: LayeredFs<'a>, log: String }
//! impl engine::runtime::shell::Host for Kubelet<'_> {
//!     fn now(&self) -> u64 { self.now }
//!     fn fs(&mut self) -> &mut dyn engine::runtime::fs::Fs { &mut self.fs }
//!     fn stdout(&mut self, t: &str) { self.log.push_str(t) }
//!     fn stderr(&mut self, t: &str) { self.log.push_str(t) }
//!     fn hostname(&self) -> String { "web-0".into() }
//! }
//! let fs = LayeredFs::new(&image, &mut upper, &mut volumes, vec![Mount::new("/html", "html")]);
//! let mut k = Kubelet { now: 0, fs, log: String::new() };
//! assert_eq!(p.run(&mut k), Poll::SleepUntil(10_000));
//! k.now = 10_000;
//! assert_eq!(p.run(&mut k), Poll::SleepUntil(20_000));
//! drop(k);
//! assert_eq!(engine::runtime::fs::Fs::read(&volumes["html"], "/index.html").unwrap(),
//!            "Wed Aug 27 00:00:00 UTC 2025\nWed Aug 27 00:00:10 UTC 2025\n");
//! ```

pub mod fs;
pub mod shell;
