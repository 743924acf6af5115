//! The commands: ash's builtins and the busybox applets a container image has. Messages follow busybox
//! 1.36; where a text could not be checked against busybox's source it says so beside it.

use super::exec::{quote, Fds, Flow, FrameKind, Process, Scope};
use super::text::{printf, strftime, unescape, Regex};
use super::{Host, Program, Signal};
use crate::clock::Millis;
use crate::runtime::fs::{basename, parent, FileKind, FsError, WriteMode};
use crate::util::sort::StableSort;

/// Every command name the simulated image provides (besides functions).
const COMMANDS: &[&str] = &[
    ".", ":", "[", "ash", "basename", "bash", "break", "cat", "cd", "continue", "cp", "date", "dirname", "echo", "env",
    "eval", "exec", "exit", "export", "expr", "false", "find", "grep", "head", "hostname", "kill", "ls", "mkdir", "mv",
    "nc", "nslookup", "ping", "printenv", "printf", "ps", "pwd", "read", "readonly", "return", "rm", "rmdir", "seq",
    "set", "sh", "shift", "sleep", "source", "tail", "tee", "test", "touch", "trap", "true", "unset", "wait", "wc",
    "wget", "whoami", "local",
];

pub(super) fn is_command(name: &str) -> bool {
    COMMANDS.contains(&name)
}

const BIN_DIRS: &[&str] = &["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"];

/// Split leading single-letter options (`-rf`, `-n 5`) from operands. `with_arg` lists options taking a
/// value. Stops at `--` or the first operand. Returns (options as (letter, value)), operands) or the bad
/// letter.
type Opts = Vec<(char, Option<String>)>;

fn getopt(args: &[String], flags: &str, with_arg: &str) -> Result<(Opts, Vec<String>), char> {
    let mut opts = Vec::new();
    let mut rest = Vec::new();
    let mut i = 0;
    let mut only_operands = false;
    while i < args.len() {
        let a = &args[i];
        if only_operands || !a.starts_with('-') || a == "-" {
            rest.push(a.clone());
            i += 1;
            continue;
        }
        if a == "--" {
            only_operands = true;
            i += 1;
            continue;
        }
        let cs: Vec<char> = a[1..].chars().collect();
        let mut j = 0;
        while j < cs.len() {
            let c = cs[j];
            if with_arg.contains(c) {
                let v: String = cs[j + 1..].iter().collect();
                if !v.is_empty() {
                    opts.push((c, Some(v)));
                } else {
                    i += 1;
                    opts.push((c, args.get(i).cloned()));
                }
                j = cs.len();
            } else if flags.contains(c) {
                opts.push((c, None));
                j += 1;
            } else {
                return Err(c);
            }
        }
        i += 1;
    }
    Ok((opts, rest))
}

fn has(opts: &Opts, c: char) -> bool {
    opts.iter().any(|(o, _)| *o == c)
}

fn val(opts: &Opts, c: char) -> Option<String> {
    opts.iter().rev().find(|(o, _)| *o == c).and_then(|(_, v)| v.clone())
}

fn mode_string(kind: FileKind, mode: u32) -> String {
    let mut s = String::with_capacity(10);
    s.push(if kind == FileKind::Dir { 'd' } else { '-' });
    for shift in [6, 3, 0] {
        let b = (mode >> shift) & 7;
        s.push(if b & 4 != 0 { 'r' } else { '-' });
        s.push(if b & 2 != 0 { 'w' } else { '-' });
        s.push(if b & 1 != 0 { 'x' } else { '-' });
    }
    s
}

impl Process {
    fn out(&mut self, host: &mut dyn Host, s: &str) {
        self.write_out(host, s);
    }

    /// `applet: message` on standard error.
    fn applet_err(&mut self, host: &mut dyn Host, applet: &str, msg: &str) {
        self.write_err(host, &format!("{applet}: {msg}\n"));
    }

    /// An ash builtin's error: `sh: cd: line 1: message` (ash names the builtin and the line when it is
    /// not interactive).
    fn builtin_err(&mut self, host: &mut dyn Host, name: &str, msg: &str) {
        let line = format!("{}: {}: line {}: {}\n", self.arg0(), name, self.line, msg);
        self.write_err(host, &line);
    }

    fn usage(&mut self, host: &mut dyn Host, applet: &str, usage: &str) -> i32 {
        // Informed guess: busybox prints its banner line first ("BusyBox v1.36.1 (…) multi-call
        // binary."), whose build date we cannot know; we print the usage lines only.
        self.write_err(host, &format!("Usage: {applet} {usage}\n"));
        1
    }

    fn bad_option(&mut self, host: &mut dyn Host, applet: &str, c: char, usage: &str) -> i32 {
        // glibc getopt's text, which busybox images built on glibc show.
        self.write_err(host, &format!("{applet}: invalid option -- '{c}'\n"));
        self.usage(host, applet, usage)
    }

    fn read_file(&mut self, host: &mut dyn Host, name: &str) -> Result<String, FsError> {
        if name == "-" {
            return Ok(self.read_stdin());
        }
        if name == "/dev/null" {
            return Ok(String::new());
        }
        let p = self.path(name);
        host.fs().read(&p)
    }

    pub(super) fn run_command(
        &mut self,
        argv: &[String],
        assigns: &[(String, String)],
        restore: (Fds, usize),
        host: &mut dyn Host,
    ) -> Flow {
        let name = argv[0].as_str();
        if let Some(code) = self.scope.funcs.get(name).cloned() {
            for (k, v) in assigns {
                let _ = self.set_var(k, v.clone());
            }
            let mut args = vec![self.arg0()];
            args.extend(argv[1..].iter().cloned());
            let saved_args = std::mem::replace(&mut self.scope.args, args);
            return self.push_frame_with(code, FrameKind::Function { saved_args }, restore);
        }
        let base = if name.contains('/') {
            let dir = parent(name);
            let b = basename(name);
            if BIN_DIRS.contains(&dir) && is_command(b) && !matches!(b, "." | "break" | "continue" | "return" | "exit")
            {
                b
            } else {
                return self.run_file(name, argv, assigns, restore, host);
            }
        } else {
            name
        };
        let args = &argv[1..];
        let st = match base {
            ":" | "true" => 0,
            "false" => 1,
            "echo" => self.echo(args, host),
            "printf" => self.printf_cmd(args, host),
            "cat" => self.cat(args, host),
            "ls" => self.ls(args, host),
            "find" => self.find(args, host),
            "touch" => self.touch(args, host),
            "rm" => self.rm(args, host),
            "rmdir" => self.rmdir(args, host),
            "mkdir" => self.mkdir(args, host),
            "cp" => self.cp(args, host, false),
            "mv" => self.cp(args, host, true),
            "sleep" => self.sleep(args, host),
            "date" => self.date(args, host),
            "env" => return self.env(args, assigns, restore, host),
            "printenv" => self.printenv(args, assigns, host),
            "hostname" => {
                let h = host.hostname();
                self.out(host, &format!("{h}\n"));
                0
            }
            "whoami" => {
                self.out(host, "root\n");
                0
            }
            "pwd" => {
                let c = self.scope.cwd.clone();
                self.out(host, &format!("{c}\n"));
                0
            }
            "cd" => self.cd(args, host),
            "basename" => match args.first() {
                Some(a) => {
                    let mut b = basename(a).to_string();
                    if let Some(suf) = args.get(1) {
                        if b.len() > suf.len() && b.ends_with(suf.as_str()) {
                            b.truncate(b.len() - suf.len());
                        }
                    }
                    self.out(host, &format!("{b}\n"));
                    0
                }
                None => self.usage(host, "basename", "FILE [SUFFIX]"),
            },
            "dirname" => match args.first() {
                Some(a) => {
                    let t = a.trim_end_matches('/');
                    let d = match t.rfind('/') {
                        Some(0) => "/".to_string(),
                        Some(i) => t[..i].trim_end_matches('/').to_string(),
                        None if a.starts_with('/') => "/".to_string(),
                        None => ".".to_string(),
                    };
                    self.out(host, &format!("{d}\n"));
                    0
                }
                None => self.usage(host, "dirname", "FILENAME"),
            },
            "export" | "readonly" | "local" => self.export(base, args, host),
            "unset" => {
                for a in args.iter().filter(|a| !a.starts_with('-')) {
                    self.scope.vars.remove(a);
                    if args.iter().any(|a| a == "-f") {
                        self.scope.funcs.remove(a);
                    }
                }
                0
            }
            "set" => self.set(args, host),
            "shift" => {
                let n = match args.first().map(|a| a.parse::<usize>()) {
                    None => 1,
                    Some(Ok(n)) => n,
                    Some(Err(_)) => {
                        let a = args[0].clone();
                        self.builtin_err(host, "shift", &format!("Illegal number: {a}"));
                        self.unwind_exit(2, host);
                        return Flow::Unwound;
                    }
                };
                if n >= self.scope.args.len() {
                    if n == 0 {
                        0
                    } else {
                        1
                    }
                } else {
                    self.scope.args.drain(1..=n);
                    0
                }
            }
            "exit" => {
                let st = match args.first() {
                    None => self.status,
                    Some(a) => match a.parse::<i64>() {
                        Ok(n) if !a.starts_with('+') => (n & 0xff) as i32,
                        _ => {
                            let a = a.clone();
                            self.builtin_err(host, "exit", &format!("Illegal number: {a}"));
                            2
                        }
                    },
                };
                self.unwind_exit(st, host);
                return Flow::Unwound;
            }
            "return" => {
                let st =
                    args.first().and_then(|a| a.parse::<i64>().ok()).map(|n| (n & 0xff) as i32).unwrap_or(self.status);
                if self.unwind_return(st) {
                    return Flow::Unwound;
                }
                st
            }
            "break" | "continue" => {
                let n = args.first().and_then(|a| a.parse::<usize>().ok()).unwrap_or(1).max(1);
                if self.unwind_loop(n, base == "continue") {
                    return Flow::Unwound;
                }
                0
            }
            "test" => self.test(args, host),
            "[" => {
                if args.last().map(String::as_str) != Some("]") {
                    let a0 = self.arg0();
                    self.applet_err(host, &a0, "missing ]");
                    2
                } else {
                    self.test(&args[..args.len() - 1], host)
                }
            }
            "grep" => self.grep(args, host),
            "head" => self.head_tail(args, host, true),
            "tail" => self.head_tail(args, host, false),
            "wc" => self.wc(args, host),
            "base64" => self.base64(args, host),
            "tee" => self.tee(args, host),
            "seq" => self.seq(args, host),
            "expr" => self.expr(args, host),
            "read" => self.read(args, host),
            "kill" => self.kill(args, host),
            "ps" => self.ps(args, host),
            "wait" => {
                let now = self.now;
                self.jobs.retain(|j| *j > now);
                if let Some(m) = self.jobs.iter().max().copied() {
                    self.wake = Some(m);
                    self.waiting = true;
                }
                0
            }
            "trap" => self.trap(args, host),
            "eval" => {
                let src = args.join(" ");
                return self.run_source(&src, FrameKind::Eval, restore, host);
            }
            "." | "source" => {
                let Some(f) = args.first() else {
                    return Flow::Done(0);
                };
                match self.read_file(host, f) {
                    Ok(src) => return self.run_source(&src, FrameKind::Eval, restore, host),
                    Err(e) => {
                        let f = f.clone();
                        self.builtin_err(host, ".", &format!("can't open '{f}': {}", e.strerror()));
                        self.unwind_exit(2, host);
                        return Flow::Unwound;
                    }
                }
            }
            "exec" => {
                if args.is_empty() {
                    // Redirections of a bare `exec` stay in effect.
                    self.status = 0;
                    return Flow::Unwound;
                }
                self.scope.traps.clear();
                let src = format!("{}; exit $?", args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" "));
                return self.run_source(&src, FrameKind::Eval, restore, host);
            }
            "sh" | "ash" | "bash" => return self.sh(args, assigns, restore, host),
            "wget" => self.wget(args, host),
            "nslookup" => self.nslookup(args, host),
            "ping" => return self.ping(args, restore, host),
            "nc" => self.nc(args, host),
            "curl" if host.has_curl() => self.curl(args, host),
            "sudo" if host.has_sudo() && !args.is_empty() => match host.host_command(base, args) {
                Some((out, err, code)) => {
                    self.write_out(host, &out);
                    self.write_err(host, &err);
                    code
                }
                None => {
                    let src = args.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ");
                    return self.run_source(&src, FrameKind::Eval, restore, host);
                }
            },
            _ => match host.host_command(base, args) {
                Some((out, err, code)) => {
                    self.write_out(host, &out);
                    self.write_err(host, &err);
                    code
                }
                None => {
                    let a0 = self.arg0();
                    self.write_err(host, &format!("{a0}: {name}: not found\n"));
                    127
                }
            },
        };
        Flow::Done(st)
    }

    fn run_source(&mut self, src: &str, kind: FrameKind, restore: (Fds, usize), host: &mut dyn Host) -> Flow {
        match Program::parse(src) {
            Ok(p) => self.push_frame_with(p.code, kind, restore),
            Err(e) => {
                self.err_line(host, &e);
                Flow::Done(2)
            }
        }
    }

    /// A path that is not a known command: run it as a shell script if it is a file.
    fn run_file(
        &mut self,
        name: &str,
        argv: &[String],
        assigns: &[(String, String)],
        restore: (Fds, usize),
        host: &mut dyn Host,
    ) -> Flow {
        let p = self.path(name);
        match host.fs().stat(&p) {
            Ok(s) if s.is_dir() => {
                let a0 = self.arg0();
                self.write_err(host, &format!("{a0}: {name}: Permission denied\n"));
                Flow::Done(126)
            }
            Ok(_) => {
                let mut args = vec![name.to_string()];
                args.extend(argv[1..].iter().cloned());
                self.sh(&args, assigns, restore, host)
            }
            Err(_) => {
                let a0 = self.arg0();
                self.write_err(host, &format!("{a0}: {name}: not found\n"));
                Flow::Done(127)
            }
        }
    }

    /// `sh -c SCRIPT [NAME [ARGS]]`, `sh FILE [ARGS]`, or `sh` reading its script from standard input.
    fn sh(
        &mut self,
        args: &[String],
        assigns: &[(String, String)],
        restore: (Fds, usize),
        host: &mut dyn Host,
    ) -> Flow {
        let mut i = 0;
        let mut script: Option<String> = None;
        while i < args.len() && args[i].starts_with('-') && args[i].len() > 1 {
            if args[i].contains('c') {
                i += 1;
                match args.get(i) {
                    Some(s) => script = Some(s.clone()),
                    None => {
                        let a0 = self.arg0();
                        self.write_err(host, &format!("{a0}: -c requires an argument\n"));
                        return Flow::Done(2);
                    }
                }
            }
            i += 1;
        }
        let rest: Vec<String> = args[i.min(args.len())..].to_vec();
        let (src, argv0, params) = match script {
            Some(s) => {
                let a0 = rest.first().cloned().unwrap_or_else(|| "sh".to_string());
                (s, a0, rest.iter().skip(1).cloned().collect::<Vec<_>>())
            }
            None => match rest.first() {
                Some(file) => match self.read_file(host, file) {
                    Ok(s) => (s, file.clone(), rest[1..].to_vec()),
                    Err(e) => {
                        let file = file.clone();
                        self.write_err(host, &format!("sh: can't open '{file}': {}\n", e.strerror()));
                        return Flow::Done(2);
                    }
                },
                None => (self.read_stdin(), "sh".to_string(), Vec::new()),
            },
        };
        let prog = match Program::parse(&src) {
            Ok(p) => p,
            Err(e) => {
                self.write_err(host, &format!("{argv0}: {e}\n"));
                return Flow::Done(2);
            }
        };
        let env = self.environ(assigns);
        let pid = self.next_pid;
        self.next_pid += 1;
        let mut new_args = vec![argv0];
        new_args.extend(params);
        let mut vars: std::collections::BTreeMap<String, super::exec::Var> =
            env.into_iter().map(|(k, v)| (k, super::exec::Var { value: v, exported: true })).collect();
        vars.entry("IFS".into()).or_insert(super::exec::Var { value: " \t\n".into(), exported: false });
        let scope = Scope {
            vars,
            args: new_args,
            funcs: Default::default(),
            traps: Default::default(),
            cwd: self.scope.cwd.clone(),
            pid,
        };
        let saved = Box::new(std::mem::replace(&mut self.scope, scope));
        self.push_frame_with(prog.code, FrameKind::Child { saved }, restore)
    }

    fn echo(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let mut nl = true;
        let mut esc = false;
        let mut i = 0;
        while let Some(a) = args.get(i) {
            if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| matches!(c, 'n' | 'e' | 'E')) {
                for c in a[1..].chars() {
                    match c {
                        'n' => nl = false,
                        'e' => esc = true,
                        _ => esc = false,
                    }
                }
                i += 1;
            } else {
                break;
            }
        }
        let mut text = args[i..].join(" ");
        if esc {
            let (t, stop) = unescape(&text, true);
            text = t;
            if stop {
                nl = false;
            }
        }
        if nl {
            text.push('\n');
        }
        self.out(host, &text);
        0
    }

    fn printf_cmd(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let Some(fmt) = args.first() else {
            return self.usage(host, "printf", "FORMAT [ARG]...");
        };
        let (out, errs) = printf(fmt, &args[1..]);
        self.out(host, &out);
        let a0 = self.arg0();
        for e in &errs {
            // printf is an ash builtin: busybox's message carries the shell's name.
            self.applet_err(host, &a0, e);
        }
        i32::from(!errs.is_empty())
    }

    fn cat(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let files: Vec<String> = args.iter().filter(|a| !(a.starts_with('-') && a.len() > 1)).cloned().collect();
        if files.is_empty() {
            let s = self.read_stdin();
            self.out(host, &s);
            return 0;
        }
        let mut st = 0;
        for f in files {
            match self.read_file(host, &f) {
                Ok(s) => self.out(host, &s),
                Err(FsError::IsDir) => {
                    self.applet_err(host, "cat", "read error: Is a directory");
                    st = 1;
                }
                Err(e) => {
                    self.applet_err(host, "cat", &format!("can't open '{f}': {}", e.strerror()));
                    st = 1;
                }
            }
        }
        st
    }

    fn ls(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let (opts, mut ops) = match getopt(args, "laA1dhFpRrtSCe", "") {
            Ok(x) => x,
            Err(c) => return self.bad_option(host, "ls", c, "[-1AaCxdLHRFplinshrSXvctu] [-w WIDTH] [FILE]..."),
        };
        let long = has(&opts, 'l');
        let all = has(&opts, 'a');
        let almost = has(&opts, 'A');
        let dirself = has(&opts, 'd');
        let classify = has(&opts, 'F') || has(&opts, 'p');
        if ops.is_empty() {
            ops.push(".".into());
        }
        let mut st = 0;
        let mut files = Vec::new();
        let mut dirs = Vec::new();
        for o in &ops {
            let p = self.path(o);
            match host.fs().stat(&p) {
                Ok(s) if s.is_dir() && !dirself => dirs.push((o.clone(), p)),
                Ok(s) => files.push((o.clone(), s)),
                Err(e) => {
                    self.applet_err(host, "ls", &format!("{o}: {}", e.strerror()));
                    st = 1;
                }
            }
        }
        files.stable_sort_by(|a, b| a.0.cmp(&b.0));
        dirs.stable_sort();
        let now = self.now;
        let line = |name: &str, s: &crate::runtime::fs::Stat, nlink: usize| -> String {
            let suffix = if classify && s.is_dir() { "/" } else { "" };
            if !long {
                return format!("{name}{suffix}\n");
            }
            let size = if s.is_dir() { 4096 } else { s.size };
            let age = now.saturating_sub(s.mtime);
            let time = if age < 1000 * 3600 * 24 * 365 / 2 {
                strftime("%b %e %H:%M", s.mtime)
            } else {
                strftime("%b %e  %Y", s.mtime)
            };
            format!(
                "{:<10} {:>4} {:<8} {:<8} {:>9} {} {}{}\n",
                mode_string(s.kind, s.mode),
                nlink,
                "root",
                "root",
                size,
                time,
                name,
                suffix
            )
        };
        let mut out = String::new();
        for (name, s) in &files {
            out.push_str(&line(name, s, 1));
        }
        let multi = files.len() + dirs.len() > 1;
        for (i, (name, p)) in dirs.iter().enumerate() {
            if multi {
                if i > 0 || !files.is_empty() {
                    out.push('\n');
                }
                out.push_str(&format!("{name}:\n"));
            }
            let mut names = host.fs().list(p).unwrap_or_default();
            if !(all || almost) {
                names.retain(|n| !n.starts_with('.'));
            }
            let mut entries = Vec::new();
            if all {
                entries.push((".".to_string(), p.clone()));
                entries.push(("..".to_string(), parent(p).to_string()));
            }
            for n in names {
                let full = if p == "/" { format!("/{n}") } else { format!("{p}/{n}") };
                entries.push((n, full));
            }
            let mut body = String::new();
            let mut blocks = 0u64;
            for (n, full) in entries {
                let Ok(s) = host.fs().stat(&full) else { continue };
                let nlink = if s.is_dir() {
                    2 + host
                        .fs()
                        .list(&full)
                        .unwrap_or_default()
                        .iter()
                        .filter(|c| {
                            let cp = format!("{}/{}", full.trim_end_matches('/'), c);
                            host.fs().is_dir(&cp)
                        })
                        .count()
                } else {
                    1
                };
                // Informed guess at st_blocks: 4 KiB per started 4 KiB, directories one block.
                blocks += if s.is_dir() { 4 } else { s.size.div_ceil(4096) * 4 };
                body.push_str(&line(&n, &s, nlink));
            }
            if long {
                out.push_str(&format!("total {blocks}\n"));
            }
            out.push_str(&body);
        }
        self.out(host, &out);
        st
    }

    /// busybox `find` with the primaries the images' scripts use: `-mindepth N`, `-maxdepth N`, `-type f|d`,
    /// `-name PATTERN`, `-print` and `-delete` (which, as in busybox, visits a directory's entries before the
    /// directory itself, so `find /scrub -mindepth 1 -delete` empties a directory as the PV recycler does).
    /// Entries come in name order (the simulated filesystem lists sorted); an unknown primary is refused with
    /// busybox's `find: unrecognized: X` (its text, as kubernetes#16723 quotes it).
    fn find(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let first_expr = args.iter().position(|a| a.starts_with('-') || a == "!" || a == "(").unwrap_or(args.len());
        let mut roots: Vec<String> = args[..first_expr].to_vec();
        if roots.is_empty() {
            roots.push(".".into());
        }
        let mut spec = FindSpec { min: 0, max: usize::MAX, kind: None, name: None, delete: false };
        let mut i = first_expr;
        while i < args.len() {
            let a = args[i].as_str();
            let value = args.get(i + 1).cloned();
            match a {
                "-delete" => spec.delete = true,
                "-print" => {}
                "-mindepth" | "-maxdepth" | "-type" | "-name" => {
                    let Some(v) = value else {
                        self.applet_err(host, "find", &format!("{a}: requires an argument"));
                        return 1;
                    };
                    match a {
                        "-mindepth" => spec.min = v.parse().unwrap_or(0),
                        "-maxdepth" => spec.max = v.parse().unwrap_or(usize::MAX),
                        "-type" => spec.kind = v.chars().next(),
                        _ => spec.name = Some(v),
                    }
                    i += 1;
                }
                _ => {
                    self.applet_err(host, "find", &format!("unrecognized: {a}"));
                    return 1;
                }
            }
            i += 1;
        }
        let mut st = 0;
        let mut out = String::new();
        for root in roots {
            let abs = self.path(&root);
            if let Err(e) = host.fs().stat(&abs) {
                self.applet_err(host, "find", &format!("{root}: {}", e.strerror()));
                st = 1;
                continue;
            }
            let mut hits = Vec::new();
            find_walk(host, &spec, &root, &abs, 0, &mut hits);
            for (shown, path) in hits {
                if spec.delete {
                    if let Err(e) = host.fs().remove(&path, false) {
                        self.applet_err(host, "find", &format!("{shown}: {}", e.strerror()));
                        st = 1;
                    }
                } else {
                    out.push_str(&shown);
                    out.push('\n');
                }
            }
        }
        self.out(host, &out);
        st
    }

    fn touch(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let (opts, files) = match getopt(args, "cham", "dtr") {
            Ok(x) => x,
            Err(c) => return self.bad_option(host, "touch", c, "[-c] [-d DATE] [-t DATE] [-r FILE] FILE..."),
        };
        if files.is_empty() {
            return self.usage(host, "touch", "[-c] [-d DATE] [-t DATE] [-r FILE] FILE...");
        }
        let mut st = 0;
        for f in files {
            let p = self.path(&f);
            if has(&opts, 'c') && !host.fs().exists(&p) {
                continue;
            }
            if let Err(e) = host.fs().touch(&p, self.now) {
                self.applet_err(host, "touch", &format!("{f}: {}", e.strerror()));
                st = 1;
            }
        }
        st
    }

    fn rm(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let (opts, files) = match getopt(args, "fiRrv", "") {
            Ok(x) => x,
            Err(c) => return self.bad_option(host, "rm", c, "[-irf] FILE..."),
        };
        let force = has(&opts, 'f');
        let rec = has(&opts, 'r') || has(&opts, 'R');
        if files.is_empty() && !force {
            return self.usage(host, "rm", "[-irf] FILE...");
        }
        let mut st = 0;
        for f in files {
            let p = self.path(&f);
            match host.fs().stat(&p) {
                Err(e) => {
                    if !(force && e == FsError::NotFound) {
                        self.applet_err(host, "rm", &format!("can't remove '{f}': {}", e.strerror()));
                        st = 1;
                    }
                }
                Ok(s) if s.is_dir() && !rec => {
                    self.applet_err(host, "rm", &format!("'{f}' is a directory"));
                    st = 1;
                }
                Ok(_) => {
                    if let Err(e) = host.fs().remove(&p, true) {
                        self.applet_err(host, "rm", &format!("can't remove '{f}': {}", e.strerror()));
                        st = 1;
                    }
                }
            }
        }
        st
    }

    fn rmdir(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let files: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        if files.is_empty() {
            return self.usage(host, "rmdir", "[-p] DIRECTORY...");
        }
        let mut st = 0;
        for f in files {
            let p = self.path(f);
            let r = match host.fs().stat(&p) {
                Ok(s) if !s.is_dir() => Err(FsError::NotDir),
                Ok(_) => host.fs().remove(&p, false),
                Err(e) => Err(e),
            };
            if let Err(e) = r {
                self.applet_err(host, "rmdir", &format!("'{f}': {}", e.strerror()));
                st = 1;
            }
        }
        st
    }

    fn mkdir(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let (opts, dirs) = match getopt(args, "pv", "m") {
            Ok(x) => x,
            Err(c) => return self.bad_option(host, "mkdir", c, "[-m MODE] [-p] DIRECTORY..."),
        };
        if dirs.is_empty() {
            return self.usage(host, "mkdir", "[-m MODE] [-p] DIRECTORY...");
        }
        let mut st = 0;
        for d in dirs {
            let p = self.path(&d);
            let r = if has(&opts, 'p') { host.fs().mkdir_all(&p, self.now) } else { host.fs().mkdir(&p, self.now) };
            if let Err(e) = r {
                self.applet_err(host, "mkdir", &format!("can't create directory '{d}': {}", e.strerror()));
                st = 1;
            }
        }
        st
    }

    fn copy_tree(&mut self, host: &mut dyn Host, from: &str, to: &str) -> Result<(), (String, FsError)> {
        let now = self.now;
        let s = host.fs().stat(from).map_err(|e| (from.to_string(), e))?;
        if s.is_dir() {
            match host.fs().stat(to) {
                Ok(t) if t.is_dir() => {}
                _ => host.fs().mkdir(to, now).map_err(|e| (to.to_string(), e))?,
            }
            for n in host.fs().list(from).map_err(|e| (from.to_string(), e))? {
                let f = format!("{}/{}", from.trim_end_matches('/'), n);
                let t = format!("{}/{}", to.trim_end_matches('/'), n);
                self.copy_tree(host, &f, &t)?;
            }
            Ok(())
        } else {
            let data = host.fs().read(from).map_err(|e| (from.to_string(), e))?;
            host.fs().write(to, &data, WriteMode::Truncate, now).map_err(|e| (to.to_string(), e))
        }
    }

    /// `cp` and (`mv`) `mv`.
    fn cp(&mut self, args: &[String], host: &mut dyn Host, mv: bool) -> i32 {
        let applet = if mv { "mv" } else { "cp" };
        let (opts, ops) = match getopt(args, "rRafpdPLHvin", "") {
            Ok(x) => x,
            Err(c) => return self.bad_option(host, applet, c, "[-arPLHpfinlsTu] SOURCE... DEST"),
        };
        let rec = mv || has(&opts, 'r') || has(&opts, 'R') || has(&opts, 'a');
        if ops.len() < 2 {
            return self.usage(host, applet, "[-arPLHpfinlsTu] SOURCE... DEST");
        }
        let (srcs, dst) = ops.split_at(ops.len() - 1);
        let dst = &dst[0];
        let dp = self.path(dst);
        let dst_dir = host.fs().is_dir(&dp);
        if srcs.len() > 1 && !dst_dir {
            self.applet_err(host, applet, &format!("'{dst}' is not a directory"));
            return 1;
        }
        let mut st = 0;
        for s in srcs {
            let sp = self.path(s);
            let stat = match host.fs().stat(&sp) {
                Ok(x) => x,
                Err(e) => {
                    let msg = if mv {
                        format!("can't rename '{s}': {}", e.strerror())
                    } else {
                        format!("can't stat '{s}': {}", e.strerror())
                    };
                    self.applet_err(host, applet, &msg);
                    st = 1;
                    continue;
                }
            };
            if stat.is_dir() && !rec {
                self.applet_err(host, applet, &format!("omitting directory '{s}'"));
                st = 1;
                continue;
            }
            let target = if dst_dir { format!("{}/{}", dp.trim_end_matches('/'), basename(&sp)) } else { dp.clone() };
            if target == sp || target.starts_with(&format!("{sp}/")) {
                self.applet_err(host, applet, &format!("'{s}' and '{dst}' are the same file"));
                st = 1;
                continue;
            }
            if let Err((p, e)) = self.copy_tree(host, &sp, &target) {
                let shown = if p == target { dst.clone() } else { p };
                self.applet_err(host, applet, &format!("can't create '{shown}': {}", e.strerror()));
                st = 1;
                continue;
            }
            if mv {
                if let Err(e) = host.fs().remove(&sp, true) {
                    self.applet_err(host, applet, &format!("can't remove '{s}': {}", e.strerror()));
                    st = 1;
                }
            }
        }
        st
    }

    fn sleep(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        if args.is_empty() {
            return self.usage(host, "sleep", "[N]...");
        }
        let mut total: f64 = 0.0;
        for a in args {
            let (num, mult) = match a.chars().last() {
                Some('s') => (&a[..a.len() - 1], 1.0),
                Some('m') => (&a[..a.len() - 1], 60.0),
                Some('h') => (&a[..a.len() - 1], 3600.0),
                Some('d') => (&a[..a.len() - 1], 86400.0),
                _ => (a.as_str(), 1.0),
            };
            let v = if matches!(a.to_ascii_lowercase().as_str(), "inf" | "infinity") {
                f64::INFINITY
            } else {
                match num.parse::<f64>() {
                    Ok(v)
                        if v >= 0.0
                            && !num.is_empty()
                            && !num.starts_with('+')
                            && num.chars().all(|c| c.is_ascii_digit() || c == '.') =>
                    {
                        v
                    }
                    _ => {
                        self.applet_err(host, "sleep", &format!("invalid number '{a}'"));
                        return 1;
                    }
                }
            };
            total += v * mult;
        }
        let ms = total * 1000.0;
        let until = if ms.is_finite() && ms < (u64::MAX / 2) as f64 {
            self.now.saturating_add(ms.ceil() as u64)
        } else {
            Millis::MAX
        };
        if until <= self.now {
            return 0;
        }
        if self.in_background() {
            self.jobs.push(until);
        } else {
            self.wake = Some(until);
        }
        0
    }

    fn date(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let mut fmt = "%a %b %e %H:%M:%S %Z %Y".to_string();
        for a in args {
            if let Some(f) = a.strip_prefix('+') {
                fmt = f.to_string();
            } else if a == "-u" || a == "--utc" {
            } else if a == "-R" {
                fmt = "%a, %d %b %Y %H:%M:%S %z".into();
            } else if a == "-I" || a == "-Idate" {
                fmt = "%Y-%m-%d".into();
            } else if a.starts_with("-I") {
                fmt = "%Y-%m-%dT%H:%M:%S+00:00".into();
            } else if let Some(c) = a.strip_prefix('-').and_then(|r| r.chars().next()) {
                return self.bad_option(host, "date", c, "[OPTIONS] [+FMT] [[-s] TIME]");
            } else {
                // Setting the clock needs privileges a container lacks.
                self.applet_err(host, "date", "can't set date: Operation not permitted");
                return 1;
            }
        }
        let s = strftime(&fmt, self.now);
        self.out(host, &format!("{s}\n"));
        0
    }

    fn env(
        &mut self,
        args: &[String],
        assigns: &[(String, String)],
        restore: (Fds, usize),
        host: &mut dyn Host,
    ) -> Flow {
        let mut env_assigns: Vec<(String, String)> = assigns.to_vec();
        let mut clear = false;
        let mut i = 0;
        while let Some(a) = args.get(i) {
            if a == "-i" || a == "-" {
                clear = true;
            } else if let Some((k, v)) = a.split_once('=').filter(|(k, _)| super::parse::is_name(k)) {
                env_assigns.push((k.to_string(), v.to_string()));
            } else {
                break;
            }
            i += 1;
        }
        if i < args.len() {
            if clear {
                for (k, v) in self.scope.vars.iter_mut() {
                    if !env_assigns.iter().any(|(a, _)| a == k) {
                        v.exported = false;
                        let _ = v;
                    }
                }
            }
            return self.run_command(&args[i..], &env_assigns, restore, host);
        }
        let env = if clear { env_assigns.into_iter().collect() } else { self.environ(&env_assigns) };
        let mut out = String::new();
        for (k, v) in env {
            out.push_str(&format!("{k}={v}\n"));
        }
        self.out(host, &out);
        Flow::Done(0)
    }

    fn printenv(&mut self, args: &[String], assigns: &[(String, String)], host: &mut dyn Host) -> i32 {
        let env = self.environ(assigns);
        if args.is_empty() {
            let out: String = env.iter().map(|(k, v)| format!("{k}={v}\n")).collect();
            self.out(host, &out);
            return 0;
        }
        let mut st = 0;
        for a in args {
            match env.get(a) {
                Some(v) => {
                    let v = v.clone();
                    self.out(host, &format!("{v}\n"));
                }
                None => st = 1,
            }
        }
        st
    }

    fn cd(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let target = match args.first().map(String::as_str) {
            None => self.get_var("HOME").unwrap_or("/").to_string(),
            Some("-") => {
                let o = self.get_var("OLDPWD").unwrap_or("/").to_string();
                self.out(host, &format!("{o}\n"));
                o
            }
            Some(d) => d.to_string(),
        };
        let p = self.path(&target);
        match host.fs().stat(&p) {
            Ok(s) if s.is_dir() => {
                let old = std::mem::replace(&mut self.scope.cwd, p.clone());
                let _ = self.set_var("OLDPWD", old);
                let _ = self.set_var("PWD", p);
                0
            }
            r => {
                let e = match r {
                    Ok(_) => FsError::NotDir,
                    Err(e) => e,
                };
                self.builtin_err(host, "cd", &format!("can't cd to {target}: {}", e.strerror()));
                2
            }
        }
    }

    fn export(&mut self, which: &str, args: &[String], host: &mut dyn Host) -> i32 {
        let ops: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        if ops.is_empty() {
            let mut out = String::new();
            for (k, v) in &self.scope.vars {
                if v.exported || which != "export" {
                    out.push_str(&format!("{which} {k}={}\n", quote(&v.value)));
                }
            }
            self.out(host, &out);
            return 0;
        }
        for a in ops {
            let (k, v) = match a.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (a.clone(), None),
            };
            if !super::parse::is_name(&k) {
                self.builtin_err(host, which, &format!("{k}: bad variable name"));
                return 2;
            }
            if let Some(v) = v {
                if self.set_var(&k, v).is_err() {
                    return 2;
                }
            }
            let e = self.scope.vars.entry(k).or_insert(super::exec::Var { value: String::new(), exported: false });
            if which == "export" {
                e.exported = true;
            }
        }
        0
    }

    fn set(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        if args.is_empty() {
            let out: String = self.scope.vars.iter().map(|(k, v)| format!("{k}={}\n", quote(&v.value))).collect();
            self.out(host, &out);
            return 0;
        }
        let mut i = 0;
        while let Some(a) = args.get(i) {
            if a == "--" {
                i += 1;
                break;
            }
            if a.starts_with('-') || a.starts_with('+') {
                // Options (-e, -x, -u, -o pipefail) are accepted and ignored.
                if a == "-o" || a == "+o" {
                    i += 1;
                }
                i += 1;
            } else {
                break;
            }
        }
        if i <= args.len() && (i > 0 && args.get(i - 1).map(String::as_str) == Some("--") || i < args.len()) {
            let a0 = self.arg0();
            let mut new = vec![a0];
            new.extend(args[i..].iter().cloned());
            self.scope.args = new;
        }
        0
    }

    fn trap(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        if args.is_empty() {
            let out: String = self.scope.traps.iter().map(|(k, v)| format!("trap -- {} {}\n", quote(v), k)).collect();
            self.out(host, &out);
            return 0;
        }
        let (action, sigs) = if args.len() == 1 || args[0] == "-" {
            (if args[0] == "-" { None } else { Some(args[0].clone()) }, if args.len() == 1 { args } else { &args[1..] })
        } else if args[0].parse::<u32>().is_ok() && Signal::parse(&args[0]).is_some() {
            (None, args)
        } else {
            (Some(args[0].clone()), &args[1..])
        };
        let action = if args.len() == 1 { None } else { action };
        let mut st = 0;
        for s in sigs {
            let name = match s.to_ascii_uppercase().as_str() {
                "EXIT" | "0" => "EXIT".to_string(),
                _ => match Signal::parse(s) {
                    Some(sig) => sig.name().to_string(),
                    None => {
                        // Informed guess at ash's wording.
                        self.builtin_err(host, "trap", &format!("{s}: bad trap"));
                        st = 1;
                        continue;
                    }
                },
            };
            match &action {
                Some(a) => {
                    self.scope.traps.insert(name, a.clone());
                }
                None => {
                    self.scope.traps.remove(&name);
                }
            }
        }
        st
    }

    fn test(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let mut t = Test { a: args, i: 0, p: self, host, err: None };
        let r = if args.is_empty() { false } else { t.or() };
        if t.err.is_none() && t.i < args.len() {
            t.err = Some(format!("{}: unknown operand", args[t.i]));
        }
        if let Some(e) = t.err.take() {
            let a0 = self.arg0();
            self.applet_err(host, &a0, &e);
            return 2;
        }
        i32::from(!r)
    }

    fn grep(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let (opts, mut ops) = match getopt(args, "qvicnEFHhlLswxor", "e") {
            Ok(x) => x,
            Err(c) => {
                return self.bad_option(
                    host,
                    "grep",
                    c,
                    "[-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...",
                )
            }
        };
        let pats: Vec<String> = match val(&opts, 'e') {
            Some(p) => vec![p],
            None => {
                if ops.is_empty() {
                    return self.usage(
                        host,
                        "grep",
                        "[-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...",
                    );
                }
                vec![ops.remove(0)]
            }
        };
        let fold = has(&opts, 'i');
        let mut res = Vec::new();
        for p in &pats {
            let p =
                if has(&opts, 'w') { format!("\\(^\\|[^[:alnum:]_]\\){p}\\($\\|[^[:alnum:]_]\\)") } else { p.clone() };
            let p = if has(&opts, 'x') { format!("^{p}$") } else { p };
            let re = if has(&opts, 'F') && !has(&opts, 'w') && !has(&opts, 'x') {
                Ok(Regex::literal(&p, fold))
            } else {
                Regex::new(&p, has(&opts, 'E') && !has(&opts, 'w'), fold)
            };
            match re {
                Ok(r) => res.push(r),
                Err(e) => {
                    self.applet_err(host, "grep", &e);
                    return 2;
                }
            }
        }
        let quiet = has(&opts, 'q');
        let invert = has(&opts, 'v');
        let count = has(&opts, 'c');
        let number = has(&opts, 'n');
        let list = has(&opts, 'l');
        let show_name = (ops.len() > 1 || has(&opts, 'H')) && !has(&opts, 'h');
        if ops.is_empty() {
            ops.push("-".into());
        }
        let mut any = false;
        let mut err = false;
        let mut out = String::new();
        for f in &ops {
            let data = match self.read_file(host, f) {
                Ok(d) => d,
                Err(e) => {
                    if !has(&opts, 's') {
                        self.applet_err(host, "grep", &format!("{f}: {}", e.strerror()));
                    }
                    err = true;
                    continue;
                }
            };
            let shown = if f == "-" { "(standard input)" } else { f.as_str() };
            let mut n = 0;
            for (ln, line) in data.lines().enumerate() {
                let m = res.iter().any(|r| r.is_match(line)) != invert;
                if !m {
                    continue;
                }
                n += 1;
                any = true;
                if quiet {
                    return 0;
                }
                if count || list {
                    continue;
                }
                if show_name {
                    out.push_str(&format!("{shown}:"));
                }
                if number {
                    out.push_str(&format!("{}:", ln + 1));
                }
                out.push_str(line);
                out.push('\n');
            }
            if count {
                if show_name {
                    out.push_str(&format!("{shown}:"));
                }
                out.push_str(&format!("{n}\n"));
            } else if list && n > 0 {
                out.push_str(&format!("{shown}\n"));
            }
        }
        self.out(host, &out);
        if err && !(quiet && any) {
            2
        } else if any {
            0
        } else {
            1
        }
    }

    fn head_tail(&mut self, args: &[String], host: &mut dyn Host, head: bool) -> i32 {
        let applet = if head { "head" } else { "tail" };
        // `-5` means `-n 5`.
        let args: Vec<String> = args
            .iter()
            .map(|a| {
                if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| c.is_ascii_digit()) {
                    format!("-n{}", &a[1..])
                } else {
                    a.clone()
                }
            })
            .collect();
        let (opts, mut files) = match getopt(&args, "qvfF", "nc") {
            Ok(x) => x,
            Err(c) => return self.bad_option(host, applet, c, "[OPTIONS] [FILE]..."),
        };
        let (n_str, bytes) = match (val(&opts, 'c'), val(&opts, 'n')) {
            (Some(c), _) => (c, true),
            (None, Some(n)) => (n, false),
            _ => ("10".to_string(), false),
        };
        let from_start = n_str.starts_with('+');
        let n: usize = match n_str.trim_start_matches(['+', '-']).parse() {
            Ok(n) => n,
            Err(_) => {
                self.applet_err(host, applet, &format!("invalid number '{n_str}'"));
                return 1;
            }
        };
        if files.is_empty() {
            files.push("-".into());
        }
        let multi = files.len() > 1 && !has(&opts, 'q');
        let mut st = 0;
        let mut out = String::new();
        for (i, f) in files.iter().enumerate() {
            let data = match self.read_file(host, f) {
                Ok(d) => d,
                Err(e) => {
                    self.applet_err(host, applet, &format!("can't open '{f}': {}", e.strerror()));
                    st = 1;
                    continue;
                }
            };
            if multi {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str(&format!("==> {f} <==\n"));
            }
            if bytes {
                let b = data.as_bytes();
                let sl = if head {
                    &b[..n.min(b.len())]
                } else if from_start {
                    &b[n.saturating_sub(1).min(b.len())..]
                } else {
                    &b[b.len().saturating_sub(n)..]
                };
                out.push_str(&String::from_utf8_lossy(sl));
                continue;
            }
            let lines: Vec<&str> = data.split_inclusive('\n').collect();
            let sl = if head {
                &lines[..n.min(lines.len())]
            } else if from_start {
                &lines[n.saturating_sub(1).min(lines.len())..]
            } else {
                &lines[lines.len().saturating_sub(n)..]
            };
            for l in sl {
                out.push_str(l);
            }
        }
        self.out(host, &out);
        if !head && (has(&opts, 'f') || has(&opts, 'F')) {
            // Following is not simulated: the process blocks for ever, as `tail -f` of a quiet file does.
            self.wake = Some(Millis::MAX);
        }
        st
    }

    /// busybox `base64 [-d] [FILE]`: encodes with lines of 76 characters, or decodes (line breaks ignored).
    fn base64(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let (opts, files) = match getopt(args, "d", "w") {
            Ok(x) => x,
            Err(c) => return self.bad_option(host, "base64", c, "[-d] [-w COL] [FILE]"),
        };
        let file = files.first().cloned().unwrap_or_else(|| "-".into());
        let data = match self.read_file(host, &file) {
            Ok(d) => d,
            Err(e) => {
                self.applet_err(host, "base64", &format!("can't open '{file}': {}", e.strerror()));
                return 1;
            }
        };
        if has(&opts, 'd') {
            match crate::util::base64::decode(&data, crate::util::base64::STANDARD) {
                Some(bytes) => {
                    self.write_out(host, &String::from_utf8_lossy(&bytes));
                    0
                }
                None => {
                    self.applet_err(host, "base64", "invalid input");
                    1
                }
            }
        } else {
            let encoded = crate::util::base64::encode(data.as_bytes(), crate::util::base64::STANDARD, true);
            let mut out = String::new();
            for chunk in encoded.as_bytes().chunks(76) {
                out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
                out.push('\n');
            }
            self.write_out(host, &out);
            0
        }
    }

    fn wc(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let (opts, mut files) = match getopt(args, "lwmcL", "") {
            Ok(x) => x,
            Err(c) => return self.bad_option(host, "wc", c, "[-cmlwL] [FILE]..."),
        };
        let mut types: Vec<usize> = Vec::new();
        for (c, i) in [('l', 0), ('w', 1), ('m', 2), ('c', 3), ('L', 4)] {
            if has(&opts, c) {
                types.push(i);
            }
        }
        if types.is_empty() {
            types = vec![0, 1, 3];
        }
        let stdin = files.is_empty();
        if stdin {
            files.push("-".into());
        }
        let single = files.len() <= 1 && types.len() == 1;
        let mut totals = [0u64; 5];
        let mut st = 0;
        let mut out = String::new();
        let n = files.len();
        let mut rows: Vec<([u64; 5], String)> = Vec::new();
        for f in &files {
            match self.read_file(host, f) {
                Ok(d) => {
                    let lines = d.matches('\n').count() as u64;
                    let words = d.split_whitespace().count() as u64;
                    let chars = d.chars().count() as u64;
                    let bytes = d.len() as u64;
                    let longest = d.lines().map(|l| l.chars().count() as u64).max().unwrap_or(0);
                    let c = [lines, words, chars, bytes, longest];
                    for i in 0..4 {
                        totals[i] += c[i];
                    }
                    totals[4] = totals[4].max(longest);
                    rows.push((c, f.clone()));
                }
                Err(e) => {
                    self.applet_err(host, "wc", &format!("can't open '{f}': {}", e.strerror()));
                    st = 1;
                }
            }
        }
        if n > 1 {
            rows.push((totals, "total".into()));
        }
        for (c, name) in rows {
            for (k, t) in types.iter().enumerate() {
                if k == 0 {
                    out.push_str(&if single { format!("{}", c[*t]) } else { format!("{:>9}", c[*t]) });
                } else {
                    out.push_str(&format!(" {:>9}", c[*t]));
                }
            }
            if stdin {
                out.push('\n');
            } else {
                out.push_str(&format!(" {name}\n"));
            }
        }
        self.out(host, &out);
        st
    }

    fn tee(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let (opts, files) = match getopt(args, "ai", "") {
            Ok(x) => x,
            Err(c) => return self.bad_option(host, "tee", c, "[-ai] [FILE]..."),
        };
        let data = self.read_stdin();
        let mut st = 0;
        let mode = if has(&opts, 'a') { WriteMode::Append } else { WriteMode::Truncate };
        for f in files {
            let p = self.path(&f);
            if let Err(e) = host.fs().write(&p, &data, mode, self.now) {
                self.applet_err(host, "tee", &format!("{f}: {}", e.strerror()));
                st = 1;
            }
        }
        self.out(host, &data);
        st
    }

    fn seq(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let mut sep = "\n".to_string();
        let mut width = false;
        let mut nums = Vec::new();
        let mut i = 0;
        while i < args.len() {
            match args[i].as_str() {
                "-s" => {
                    i += 1;
                    sep = args.get(i).cloned().unwrap_or_default();
                }
                "-w" => width = true,
                a => nums.push(a.to_string()),
            }
            i += 1;
        }
        let mut vals = Vec::new();
        for n in &nums {
            match n.parse::<f64>() {
                Ok(v) if v.is_finite() => vals.push(v),
                _ => {
                    self.applet_err(host, "seq", &format!("invalid number '{n}'"));
                    return 1;
                }
            }
        }
        let (first, inc, last) = match vals.as_slice() {
            [l] => (1.0, 1.0, *l),
            [f, l] => (*f, 1.0, *l),
            [f, i, l] => (*f, *i, *l),
            _ => return self.usage(host, "seq", "[-w] [-s SEP] [FIRST [INC]] LAST"),
        };
        if inc == 0.0 {
            return 0;
        }
        let prec = nums.iter().map(|n| n.split_once('.').map(|(_, f)| f.len()).unwrap_or(0)).max().unwrap_or(0);
        let mut out = String::new();
        let mut v = first;
        let mut count = 0;
        let wlen = [first, last].iter().map(|x| format!("{:.*}", prec, x).len()).max().unwrap_or(0);
        while (inc > 0.0 && v <= last) || (inc < 0.0 && v >= last) {
            if count > 0 {
                out.push_str(&sep);
            }
            let s = format!("{:.*}", prec, v);
            if width {
                out.push_str(&format!("{:0>w$}", s, w = wlen));
            } else {
                out.push_str(&s);
            }
            count += 1;
            if count > 1_000_000 || out.len() > super::exec::MAX_VALUE {
                break;
            }
            v = first + inc * count as f64;
        }
        if count > 0 {
            out.push('\n');
        }
        self.out(host, &out);
        0
    }

    fn expr(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let mut e = Expr { a: args, i: 0 };
        let r = e.or();
        let r = match r {
            Ok(v) if e.i == args.len() => Ok(v),
            Ok(_) => Err("syntax error".to_string()),
            Err(m) => Err(m),
        };
        match r {
            Ok(v) => {
                self.out(host, &format!("{v}\n"));
                i32::from(v.is_empty() || v == "0")
            }
            Err(m) => {
                self.applet_err(host, "expr", &m);
                2
            }
        }
    }

    fn read(&mut self, args: &[String], _host: &mut dyn Host) -> i32 {
        let (_, names) = match getopt(args, "rs", "ptnu") {
            Ok(x) => x,
            Err(_) => return 2,
        };
        let Some(line) = self.read_line() else {
            for n in &names {
                let _ = self.set_var(n, String::new());
            }
            return 1;
        };
        let names = if names.is_empty() { vec!["REPLY".to_string()] } else { names };
        let mut rest = line.trim_start().to_string();
        for (i, n) in names.iter().enumerate() {
            let v = if i + 1 == names.len() {
                std::mem::take(&mut rest).trim_end().to_string()
            } else {
                let (w, r) = match rest.find(char::is_whitespace) {
                    Some(p) => (rest[..p].to_string(), rest[p..].trim_start().to_string()),
                    None => (std::mem::take(&mut rest), String::new()),
                };
                rest = r;
                w
            };
            let _ = self.set_var(n, v);
        }
        0
    }

    fn kill(&mut self, args: &[String], host: &mut dyn Host) -> i32 {
        let mut sig = Signal::Term;
        let mut i = 0;
        if let Some(a) = args.first() {
            if a == "-l" {
                self.out(host, "HUP\nINT\nQUIT\nKILL\nUSR1\nUSR2\nTERM\n");
                return 0;
            }
            if a == "-s" {
                i = 1;
            }
            let name = if a == "-s" {
                args.get(1).map(String::as_str).unwrap_or("")
            } else {
                a.strip_prefix('-').unwrap_or("")
            };
            if a.starts_with('-') {
                match Signal::parse(name) {
                    Some(s) => sig = s,
                    None => {
                        let a0 = self.arg0();
                        self.applet_err(host, &a0, &format!("bad signal name '{name}'"));
                        return 1;
                    }
                }
                i += 1;
            }
        }
        if i >= args.len() {
            return self.usage(host, "kill", "[-l] [-SIG] PID...");
        }
        let mut st = 0;
        for a in &args[i..] {
            let pid: i64 = a.parse().unwrap_or(-1);
            if pid == self.scope.pid as i64 || pid == 0 || pid == 1 {
                // From inside its namespace, PID 1 cannot even be SIGKILLed.
                if !(sig == Signal::Kill && (pid == 1 || self.scope.pid == 1)) {
                    self.signal(sig);
                }
            } else if Some(pid as u32) == self.last_bg && !self.jobs.is_empty() {
                self.jobs.pop();
            } else {
                // Informed guess: ash's kill builtin reports through busybox's kill_main.
                let a0 = self.arg0();
                self.applet_err(host, &a0, &format!("can't kill pid {a}: No such process"));
                st = 1;
            }
        }
        st
    }

    fn ps(&mut self, _args: &[String], host: &mut dyn Host) -> i32 {
        // Informed guess at busybox ps's columns.
        let me = self.next_pid;
        self.next_pid += 1;
        let out = format!(
            "PID   USER     TIME  COMMAND\n{:>5} {:<8} {:>5} {}\n{:>5} {:<8} {:>5} ps\n",
            1,
            "root",
            "0:00",
            self.cmdline.clone(),
            me,
            "root",
            "0:00"
        );
        self.out(host, &out);
        0
    }

    /// The lines of a `ping` run as a small script, so it takes its seconds like any other command.
    fn ping(&mut self, args: &[String], restore: (Fds, usize), host: &mut dyn Host) -> Flow {
        let (opts, ops) = match getopt(args, "46qv", "cswWtI") {
            Ok(x) => x,
            Err(c) => return Flow::Done(self.bad_option(host, "ping", c, "[OPTIONS] HOST")),
        };
        let Some(target) = ops.first().cloned() else {
            return Flow::Done(self.usage(host, "ping", "[OPTIONS] HOST"));
        };
        let count: Option<u32> = val(&opts, 'c').and_then(|c| c.parse().ok());
        let src = super::net::ping_script(&target, count, host.ping(&target), has(&opts, 'q'));
        match src {
            Ok(src) => self.run_source(&src, FrameKind::Eval, restore, host),
            Err(msg) => {
                self.applet_err(host, "ping", &msg);
                Flow::Done(1)
            }
        }
    }

    pub(super) fn defer(&mut self, err: bool, text: String) {
        let sink = if err { self.fds.err.clone() } else { self.fds.out.clone() };
        self.deferred.push((sink, text));
    }
}

struct Test<'a, 'h> {
    a: &'a [String],
    i: usize,
    p: &'a mut Process,
    host: &'h mut dyn Host,
    err: Option<String>,
}

impl Test<'_, '_> {
    fn or(&mut self) -> bool {
        let mut v = self.and();
        while self.a.get(self.i).map(String::as_str) == Some("-o") {
            self.i += 1;
            let r = self.and();
            v = v || r;
        }
        v
    }
    fn and(&mut self) -> bool {
        let mut v = self.not();
        while self.a.get(self.i).map(String::as_str) == Some("-a") {
            self.i += 1;
            let r = self.not();
            v = v && r;
        }
        v
    }
    fn not(&mut self) -> bool {
        if self.a.get(self.i).map(String::as_str) == Some("!") && self.a.len() > self.i + 1 {
            self.i += 1;
            return !self.not();
        }
        self.prim()
    }
    fn num(&mut self, s: &str) -> i64 {
        match s.trim().parse::<i64>() {
            Ok(n) => n,
            Err(_) => {
                if self.err.is_none() {
                    self.err = Some(format!("{s}: bad number"));
                }
                0
            }
        }
    }
    fn prim(&mut self) -> bool {
        let Some(a) = self.a.get(self.i).cloned() else {
            if self.err.is_none() {
                self.err = Some("argument expected".into());
            }
            return false;
        };
        if a == "(" && self.a.len() > self.i + 2 {
            self.i += 1;
            let v = self.or();
            if self.a.get(self.i).map(String::as_str) == Some(")") {
                self.i += 1;
            } else if self.err.is_none() {
                self.err = Some("closing paren expected".into());
            }
            return v;
        }
        // Binary operator?
        if let (Some(op), Some(b)) = (self.a.get(self.i + 1).cloned(), self.a.get(self.i + 2).cloned()) {
            let r = match op.as_str() {
                "=" | "==" => Some(a == b),
                "!=" => Some(a != b),
                "<" => Some(a < b),
                ">" => Some(a > b),
                "-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge" => {
                    let (x, y) = (self.num(&a), self.num(&b));
                    Some(match op.as_str() {
                        "-eq" => x == y,
                        "-ne" => x != y,
                        "-lt" => x < y,
                        "-le" => x <= y,
                        "-gt" => x > y,
                        _ => x >= y,
                    })
                }
                _ => None,
            };
            if let Some(r) = r {
                self.i += 3;
                return r;
            }
        }
        if a.len() == 2 && a.starts_with('-') && self.a.len() > self.i + 1 {
            let arg = self.a[self.i + 1].clone();
            let file = |t: &mut Self| {
                let p = t.p.path(&arg);
                t.host.fs().stat(&p).ok()
            };
            let r = match &a[1..] {
                "z" => Some(arg.is_empty()),
                "n" => Some(!arg.is_empty()),
                "e" | "r" | "w" => Some(file(self).is_some()),
                "f" => Some(file(self).is_some_and(|s| !s.is_dir())),
                "d" => Some(file(self).is_some_and(|s| s.is_dir())),
                "s" => Some(file(self).is_some_and(|s| s.size > 0 || s.is_dir())),
                "x" => Some(file(self).is_some_and(|s| s.is_dir() || s.mode & 0o111 != 0)),
                "L" | "h" | "p" | "S" | "b" | "c" => Some(false),
                "t" => Some(false),
                _ => None,
            };
            if let Some(r) = r {
                self.i += 2;
                return r;
            }
        }
        self.i += 1;
        !a.is_empty()
    }
}

struct Expr<'a> {
    a: &'a [String],
    i: usize,
}

impl Expr<'_> {
    fn peek(&self) -> Option<&str> {
        self.a.get(self.i).map(String::as_str)
    }
    fn num(s: &str) -> Result<i64, String> {
        s.trim().parse::<i64>().map_err(|_| "non-numeric argument".to_string())
    }
    fn or(&mut self) -> Result<String, String> {
        let mut l = self.and()?;
        while self.peek() == Some("|") {
            self.i += 1;
            let r = self.and()?;
            if l.is_empty() || l == "0" {
                l = if r.is_empty() || r == "0" { "0".into() } else { r };
            }
        }
        Ok(l)
    }
    fn and(&mut self) -> Result<String, String> {
        let mut l = self.cmp()?;
        while self.peek() == Some("&") {
            self.i += 1;
            let r = self.cmp()?;
            let zero = |s: &str| s.is_empty() || s == "0";
            if zero(&l) || zero(&r) {
                l = "0".into();
            }
        }
        Ok(l)
    }
    fn cmp(&mut self) -> Result<String, String> {
        let mut l = self.add()?;
        while let Some(op) =
            self.peek().filter(|o| matches!(*o, "=" | "==" | "!=" | "<" | "<=" | ">" | ">=")).map(str::to_string)
        {
            self.i += 1;
            let r = self.add()?;
            let ord = match (l.trim().parse::<i64>(), r.trim().parse::<i64>()) {
                (Ok(a), Ok(b)) => a.cmp(&b),
                _ => l.cmp(&r),
            };
            let v = match op.as_str() {
                "=" | "==" => ord.is_eq(),
                "!=" => ord.is_ne(),
                "<" => ord.is_lt(),
                "<=" => ord.is_le(),
                ">" => ord.is_gt(),
                _ => ord.is_ge(),
            };
            l = if v { "1".into() } else { "0".into() };
        }
        Ok(l)
    }
    fn add(&mut self) -> Result<String, String> {
        let mut l = self.mul()?;
        while let Some(op) = self.peek().filter(|o| matches!(*o, "+" | "-")).map(str::to_string) {
            self.i += 1;
            let r = self.mul()?;
            let (a, b) = (Self::num(&l)?, Self::num(&r)?);
            l = if op == "+" { a.wrapping_add(b) } else { a.wrapping_sub(b) }.to_string();
        }
        Ok(l)
    }
    fn mul(&mut self) -> Result<String, String> {
        let mut l = self.atom()?;
        while let Some(op) = self.peek().filter(|o| matches!(*o, "*" | "/" | "%")).map(str::to_string) {
            self.i += 1;
            let r = self.atom()?;
            let (a, b) = (Self::num(&l)?, Self::num(&r)?);
            if op != "*" && b == 0 {
                return Err("division by zero".into());
            }
            l = match op.as_str() {
                "*" => a.wrapping_mul(b),
                "/" => a.wrapping_div(b),
                _ => a.wrapping_rem(b),
            }
            .to_string();
        }
        Ok(l)
    }
    fn atom(&mut self) -> Result<String, String> {
        let t = self.peek().ok_or_else(|| "syntax error".to_string())?.to_string();
        self.i += 1;
        match t.as_str() {
            "(" => {
                let v = self.or()?;
                if self.peek() != Some(")") {
                    return Err("syntax error".into());
                }
                self.i += 1;
                Ok(v)
            }
            "length" => {
                let s = self.atom()?;
                Ok(s.chars().count().to_string())
            }
            _ => Ok(t),
        }
    }
}

/// What a `find` selects (see `Process::find`).
struct FindSpec {
    min: usize,
    max: usize,
    kind: Option<char>,
    name: Option<String>,
    delete: bool,
}

/// Collects `find`'s matches under `abs` (shown as `shown`) as (shown, absolute) pairs: a directory before its
/// entries, or after them with `-delete` (busybox's `-depth`).
fn find_walk(
    host: &mut dyn Host,
    spec: &FindSpec,
    shown: &str,
    abs: &str,
    depth: usize,
    hits: &mut Vec<(String, String)>,
) {
    let Ok(stat) = host.fs().stat(abs) else { return };
    let kind_ok = match spec.kind {
        Some('d') => stat.is_dir(),
        Some('f') => !stat.is_dir(),
        Some(_) => false,
        None => true,
    };
    let name_ok = spec.name.as_deref().is_none_or(|pat| super::text::fnmatch(pat, basename(abs)));
    let hit = depth >= spec.min && kind_ok && name_ok;
    if hit && !spec.delete {
        hits.push((shown.to_string(), abs.to_string()));
    }
    if stat.is_dir() && depth < spec.max {
        for entry in host.fs().list(abs).unwrap_or_default() {
            let child_shown = format!("{}/{entry}", shown.trim_end_matches('/'));
            let child_abs = format!("{}/{entry}", abs.trim_end_matches('/'));
            find_walk(host, spec, &child_shown, &child_abs, depth + 1, hits);
        }
    }
    if hit && spec.delete {
        hits.push((shown.to_string(), abs.to_string()));
    }
}
