//! The machine: frames of compiled code with program counters, a stack of contexts, and the shell state.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::clock::Millis;

use super::code::{Code, Op};
use super::parse::{Redir, RedirOp, Simple};
use super::{Host, Limits, Poll, Program, Signal, SignalOutcome};
use crate::runtime::fs::{normalize, FsError, WriteMode};

/// Largest value a variable or captured output may grow to before the shell gives up (`out of memory`).
pub(super) const MAX_VALUE: usize = 1 << 20;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Var {
    pub value: String,
    pub exported: bool,
}

/// What a subshell or child shell saves and gets back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Scope {
    pub vars: BTreeMap<String, Var>,
    /// `$0`, `$1`, …
    pub args: Vec<String>,
    pub funcs: BTreeMap<String, Arc<Code>>,
    /// Signal name (`TERM`) or `EXIT` → handler source.
    pub traps: BTreeMap<String, String>,
    pub cwd: String,
    pub pid: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Sink {
    Stdout,
    Stderr,
    Null,
    File(String),
    Capture(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Fds {
    pub out: Sink,
    pub err: Sink,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Input {
    pub data: String,
    pub pos: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum CtxKind {
    Redir,
    Sub { saved: Box<Scope>, end: usize },
    Cap { saved: Box<Scope>, end: usize, buf: usize },
    Bg { saved: Box<Scope> },
    Loop { brk: usize, cont: usize, items: Vec<String>, last: i32 },
    Case { subject: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Ctx {
    fds: Fds,
    stdin_len: usize,
    kind: CtxKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum FrameKind {
    Main,
    /// A nested shell (`sh -c`): its own scope, restored into the parent's when it ends.
    Child {
        saved: Box<Scope>,
    },
    Function {
        saved_args: Vec<String>,
    },
    /// A trap handler; `$?` is put back afterwards. `exit_after`: the EXIT trap, after which the process ends.
    Trap {
        status: i32,
        exit_after: Option<i32>,
    },
    /// `eval` and `.`
    Eval,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Frame {
    code: Arc<Code>,
    pc: usize,
    slots: BTreeMap<usize, String>,
    kind: FrameKind,
    ctx_base: usize,
    /// Output and input to restore when the frame ends (redirections of the command that started it).
    restore: Option<(Fds, usize)>,
}

/// What a command did besides setting a status.
pub(super) enum Flow {
    Done(i32),
    /// The command started a frame (function, `sh -c`, `eval`); it runs from the next operation on.
    Pushed,
    /// The command unwound the stack (`exit`, `break`, `return`, a fatal error).
    Unwound,
}

/// A running shell. `Clone` (a snapshot of the whole execution state) and deterministic.
///
/// ```
/// use std::collections::BTreeMap;
/// use engine::runtime::fs::MemFs;
/// use engine::runtime::shell::{Poll, Process, Program, Signal, SignalOutcome, TestHost};
///
/// let prog = Program::parse("trap 'echo bye; exit 0' TERM; while true; do sleep 1; done").unwrap();
/// let mut p = Process::new(prog, vec!["sh".into()], BTreeMap::new());
/// let mut host = TestHost::new(MemFs::new());
/// assert_eq!(p.run(&mut host), Poll::SleepUntil(1000));
/// assert_eq!(p.signal(Signal::Term), SignalOutcome::Pending);
/// assert_eq!(p.run(&mut host), Poll::SleepUntil(1000)); // the sleep finishes first
/// host.now = 1000;
/// assert_eq!(p.run(&mut host), Poll::Exited(0));
/// assert_eq!(host.out, "bye\n");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Process {
    pub(super) scope: Scope,
    frames: Vec<Frame>,
    ctx: Vec<Ctx>,
    pub(super) status: i32,
    pub(super) fds: Fds,
    pub(super) stdin: Vec<Input>,
    pub(super) captures: Vec<String>,
    pub(super) wake: Option<Millis>,
    pub(super) waiting: bool,
    pub(super) jobs: Vec<Millis>,
    pub(super) last_bg: Option<u32>,
    pub(super) next_pid: u32,
    pending: Vec<Signal>,
    exited: Option<i32>,
    pub(super) limits: Limits,
    pub(super) now: Millis,
    /// Output written when the current wait ends (a timeout's message).
    pub(super) deferred: Vec<(Sink, String)>,
    /// The script line of the command running (for ash's `line N:` messages).
    pub(super) line: usize,
    /// The command line `ps` shows for PID 1.
    pub(super) cmdline: String,
}

impl Process {
    /// A shell running `program` as PID 1, with `args[0]` as `$0` (and the prefix of its error messages,
    /// e.g. `sh` or `/bin/sh`), `args[1..]` as `$1…`, and `env` as its exported environment.
    pub fn new(program: Program, args: Vec<String>, env: BTreeMap<String, String>) -> Process {
        let mut args = args;
        if args.is_empty() {
            args.push("sh".into());
        }
        let mut vars: BTreeMap<String, Var> =
            env.into_iter().map(|(k, v)| (k, Var { value: v, exported: true })).collect();
        vars.entry("PATH".into()).or_insert(Var {
            value: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into(),
            exported: true,
        });
        vars.entry("IFS".into()).or_insert(Var { value: " \t\n".into(), exported: false });
        let cwd = vars.get("PWD").map(|v| normalize("/", &v.value)).unwrap_or_else(|| "/".into());
        Process {
            scope: Scope { vars, args, funcs: BTreeMap::new(), traps: BTreeMap::new(), cwd, pid: 1 },
            frames: vec![Frame {
                code: program.code,
                pc: 0,
                slots: BTreeMap::new(),
                kind: FrameKind::Main,
                ctx_base: 0,
                restore: None,
            }],
            ctx: Vec::new(),
            status: 0,
            fds: Fds { out: Sink::Stdout, err: Sink::Stderr },
            stdin: Vec::new(),
            captures: Vec::new(),
            wake: None,
            waiting: false,
            jobs: Vec::new(),
            last_bg: None,
            next_pid: 2,
            pending: Vec::new(),
            exited: None,
            limits: Limits::default(),
            now: 0,
            deferred: Vec::new(),
            line: 0,
            cmdline: String::new(),
        }
    }

    /// Start a container's command line the way the container runtime execs it: `sh -c SCRIPT [$0 args]`
    /// (or `/bin/sh`, `ash`, `bash`), `sh FILE` is left to the shell, and any other known command (`sleep
    /// 3600`, `echo hi`, `/bin/date`) runs on its own. `Err(name)` when `argv[0]` is no command the image
    /// has (the runtime's `executable file not found in $PATH`) or `argv` is empty.
    pub fn spawn(argv: &[String], env: BTreeMap<String, String>) -> Result<Process, String> {
        let first = argv.first().ok_or_else(String::new)?;
        let base = first.rsplit('/').next().unwrap_or(first);
        let cmdline = argv.join(" ");
        if matches!(base, "sh" | "ash" | "bash") {
            // `sh [-opts] -c SCRIPT [NAME [ARGS…]]`: the script is PID 1 itself.
            let mut i = 1;
            let mut script = None;
            while i < argv.len() && argv[i].starts_with('-') && argv[i].len() > 1 {
                if argv[i].contains('c') {
                    i += 1;
                    script = argv.get(i).cloned();
                }
                i += 1;
            }
            if let Some(src) = script {
                let mut args: Vec<String> = argv[i.min(argv.len())..].to_vec();
                if args.is_empty() {
                    args.push(first.clone());
                }
                let prog = match Program::parse(&src) {
                    Ok(p) => p,
                    Err(e) => {
                        let msg = format!("echo {} >&2; exit 2", quote(&format!("{}: {e}", args[0])));
                        Program::parse(&msg).map_err(|_| first.clone())?
                    }
                };
                let mut p = Process::new(prog, args, env);
                p.cmdline = cmdline;
                return Ok(p);
            }
        } else if !super::cmds::is_command(base) {
            return Err(first.clone());
        }
        let src = argv.iter().map(|a| quote(a)).collect::<Vec<_>>().join(" ");
        let prog = Program::parse(&format!("exec {src}")).map_err(|_| first.clone())?;
        let mut p = Process::new(prog, vec![first.clone()], env);
        p.cmdline = cmdline;
        Ok(p)
    }

    /// Use another work budget per `run`.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Use another PID (`$$`); only PID 1 ignores signals it has no handler for.
    pub fn with_pid(mut self, pid: u32) -> Self {
        self.scope.pid = pid;
        self.next_pid = pid + 1;
        self
    }

    /// The exit status, once the process has ended.
    pub fn exit_status(&self) -> Option<i32> {
        self.exited
    }

    /// The instant the process waits for, if it is waiting.
    pub fn wakes_at(&self) -> Option<Millis> {
        self.wake
    }

    /// Deliver a signal (see the module docs for what PID 1 does).
    pub fn signal(&mut self, sig: Signal) -> SignalOutcome {
        if let Some(s) = self.exited {
            return SignalOutcome::Terminated(s);
        }
        if sig == Signal::Kill {
            self.exited = Some(128 + 9);
            self.frames.clear();
            return SignalOutcome::Terminated(137);
        }
        // The handler of the shell that received it: PID 1's scope is the bottom one.
        let handler = self.root_traps().get(sig.name()).cloned();
        match handler {
            Some(h) if h.is_empty() => SignalOutcome::Ignored,
            Some(_) => {
                self.pending.push(sig);
                if self.waiting {
                    self.waiting = false;
                    self.wake = None;
                    self.status = 128 + sig.number();
                }
                SignalOutcome::Pending
            }
            None if self.root_pid() == 1 => SignalOutcome::Ignored,
            None => {
                let s = 128 + sig.number();
                self.exited = Some(s);
                self.frames.clear();
                SignalOutcome::Terminated(s)
            }
        }
    }

    fn root_traps(&self) -> &BTreeMap<String, String> {
        for f in &self.frames {
            if let FrameKind::Child { saved } = &f.kind {
                return &saved.traps;
            }
        }
        for c in &self.ctx {
            match &c.kind {
                CtxKind::Sub { saved, .. } | CtxKind::Cap { saved, .. } | CtxKind::Bg { saved } => return &saved.traps,
                _ => {}
            }
        }
        &self.scope.traps
    }

    fn root_pid(&self) -> u32 {
        for f in &self.frames {
            if let FrameKind::Child { saved } = &f.kind {
                return saved.pid;
            }
        }
        self.scope.pid
    }

    /// Run until the process ends, waits, or uses up its budget.
    pub fn run(&mut self, host: &mut dyn Host) -> Poll {
        if let Some(s) = self.exited {
            return Poll::Exited(s);
        }
        let now = host.now();
        self.now = now;
        if let Some(w) = self.wake {
            if now < w {
                return Poll::SleepUntil(w);
            }
            self.wake = None;
            if self.waiting {
                self.waiting = false;
            }
            self.jobs.retain(|j| *j > now);
            for (sink, text) in std::mem::take(&mut self.deferred) {
                self.write_sink(&sink, host, &text);
            }
        }
        let mut budget = self.limits.ops_per_run;
        loop {
            if let Some(s) = self.exited {
                return Poll::Exited(s);
            }
            if !self.pending.is_empty() && self.between_commands() {
                let sig = self.pending.remove(0);
                self.dispatch_trap(sig, host);
                continue;
            }
            if budget == 0 {
                return Poll::SleepUntil(now.saturating_add(self.limits.slice_ms.max(1)));
            }
            budget -= 1;
            self.step(host);
            if self.exited.is_none() {
                if let Some(w) = self.wake {
                    return Poll::SleepUntil(w);
                }
            }
        }
    }

    fn between_commands(&self) -> bool {
        self.wake.is_none()
            && !self.frames.iter().any(|f| matches!(f.kind, FrameKind::Child { .. }))
            && !self
                .ctx
                .iter()
                .any(|c| matches!(c.kind, CtxKind::Sub { .. } | CtxKind::Cap { .. } | CtxKind::Bg { .. }))
    }

    fn dispatch_trap(&mut self, sig: Signal, host: &mut dyn Host) {
        let h = self.scope.traps.get(sig.name()).cloned();
        match h {
            Some(src) if !src.is_empty() => match Program::parse(&src) {
                Ok(p) => self.push_frame(p.code, FrameKind::Trap { status: self.status, exit_after: None }),
                Err(e) => self.err_line(host, &e),
            },
            Some(_) => {}
            None => {
                if self.scope.pid != 1 {
                    self.exit_process(128 + sig.number(), host);
                }
            }
        }
    }

    pub(super) fn push_frame(&mut self, code: Arc<Code>, kind: FrameKind) {
        self.frames.push(Frame { code, pc: 0, slots: BTreeMap::new(), kind, ctx_base: self.ctx.len(), restore: None });
    }

    fn set_pc(&mut self, pc: usize) {
        if let Some(f) = self.frames.last_mut() {
            f.pc = pc;
        }
    }

    fn step(&mut self, host: &mut dyn Host) {
        let (code, pc) = match self.frames.last() {
            Some(f) => (f.code.clone(), f.pc),
            None => {
                self.exited = Some(self.status);
                return;
            }
        };
        let op = match code.ops.get(pc) {
            Some(op) => op,
            None => {
                self.end_frame(host);
                return;
            }
        };
        self.set_pc(pc + 1);
        match op {
            Op::Simple(s) => self.simple(s, host),
            Op::Jump(t) => self.set_pc(*t),
            Op::JumpIfFalse(t) => {
                if self.status != 0 {
                    self.set_pc(*t)
                }
            }
            Op::JumpIfTrue(t) => {
                if self.status == 0 {
                    self.set_pc(*t)
                }
            }
            Op::Not => self.status = i32::from(self.status == 0),
            Op::SetStatus(s) => self.status = *s,
            Op::CapBegin { end } => {
                let buf = self.captures.len();
                self.captures.push(String::new());
                let saved = Box::new(self.scope.clone());
                self.push_ctx(CtxKind::Cap { saved, end: *end, buf });
                self.fds.out = Sink::Capture(buf);
            }
            Op::CapEnd { slot } => {
                let mut text = self.pop_capture();
                while text.ends_with('\n') {
                    text.pop();
                }
                if let Some(f) = self.frames.last_mut() {
                    f.slots.insert(*slot, text);
                }
            }
            Op::PipeEnd { first } => {
                let text = self.pop_capture();
                if !*first {
                    self.stdin.pop();
                }
                self.stdin.push(Input { data: text, pos: 0 });
            }
            Op::PipeDone => {
                self.stdin.pop();
            }
            Op::SubBegin { end } => {
                let saved = Box::new(self.scope.clone());
                self.push_ctx(CtxKind::Sub { saved, end: *end });
            }
            Op::SubEnd => self.pop_ctx(),
            Op::BgBegin { .. } => {
                let saved = Box::new(self.scope.clone());
                self.push_ctx(CtxKind::Bg { saved });
                self.last_bg = Some(self.next_pid);
                self.next_pid += 1;
            }
            Op::BgEnd => {
                self.pop_ctx();
                self.status = 0;
            }
            Op::RedirPush { redirs, end } => {
                let fds = self.fds.clone();
                let stdin_len = self.stdin.len();
                match self.apply_redirs(redirs, host) {
                    Ok(()) => self.ctx.push(Ctx { fds, stdin_len, kind: CtxKind::Redir }),
                    Err(msg) => {
                        self.fds = fds;
                        self.stdin.truncate(stdin_len);
                        self.err_line(host, &msg);
                        self.status = 2;
                        self.set_pc(*end);
                    }
                }
            }
            Op::RedirPop => self.pop_ctx(),
            Op::LoopBegin { brk, cont } => {
                self.push_ctx(CtxKind::Loop { brk: *brk, cont: *cont, items: Vec::new(), last: 0 })
            }
            Op::LoopBody => {
                let st = self.status;
                if let Some(Ctx { kind: CtxKind::Loop { last, .. }, .. }) = self.ctx.last_mut() {
                    *last = st;
                }
            }
            Op::LoopEnd => {
                let last = match self.ctx.last() {
                    Some(Ctx { kind: CtxKind::Loop { last, .. }, .. }) => *last,
                    _ => self.status,
                };
                self.pop_ctx();
                self.status = last;
            }
            Op::ForInit(words) => {
                let items = match words {
                    Some(ws) => match self.expand_words(ws, host) {
                        Ok(v) => v,
                        Err(e) => return self.fatal(&e, host),
                    },
                    None => self.scope.args.iter().skip(1).cloned().collect(),
                };
                if let Some(Ctx { kind: CtxKind::Loop { items: it, .. }, .. }) = self.ctx.last_mut() {
                    *it = items.into_iter().rev().collect();
                }
            }
            Op::ForNext { var, exit } => {
                let next = match self.ctx.last_mut() {
                    Some(Ctx { kind: CtxKind::Loop { items, .. }, .. }) => items.pop(),
                    _ => None,
                };
                match next {
                    Some(v) => {
                        if let Err(e) = self.set_var(var, v) {
                            self.fatal(&e, host);
                        }
                    }
                    None => self.set_pc(*exit),
                }
            }
            Op::CaseBegin(w) => {
                let subject = match self.expand_single(w, host) {
                    Ok(s) => s,
                    Err(e) => return self.fatal(&e, host),
                };
                self.push_ctx(CtxKind::Case { subject });
            }
            Op::CaseTest { pats, next } => {
                let subject = match self.ctx.last() {
                    Some(Ctx { kind: CtxKind::Case { subject }, .. }) => subject.clone(),
                    _ => String::new(),
                };
                let mut matched = false;
                for p in pats.iter() {
                    match self.expand_pattern(p, host) {
                        Ok(pat) => {
                            if super::text::fnmatch(&pat, &subject) {
                                matched = true;
                                break;
                            }
                        }
                        Err(e) => return self.fatal(&e, host),
                    }
                }
                if !matched {
                    self.set_pc(*next);
                }
            }
            Op::CaseEnd => self.pop_ctx(),
            Op::DefFunc(name, code) => {
                self.scope.funcs.insert(name.clone(), code.clone());
                self.status = 0;
            }
        }
    }

    fn push_ctx(&mut self, kind: CtxKind) {
        self.ctx.push(Ctx { fds: self.fds.clone(), stdin_len: self.stdin.len(), kind });
    }

    /// Pop the top context, undoing what it set up.
    fn pop_ctx(&mut self) {
        if let Some(c) = self.ctx.pop() {
            self.fds = c.fds;
            self.stdin.truncate(c.stdin_len);
            match c.kind {
                CtxKind::Sub { saved, .. } | CtxKind::Bg { saved } => self.scope = *saved,
                CtxKind::Cap { saved, buf, .. } => {
                    self.scope = *saved;
                    self.captures.truncate(buf);
                }
                _ => {}
            }
        }
    }

    fn pop_capture(&mut self) -> String {
        let text = match self.ctx.last() {
            Some(Ctx { kind: CtxKind::Cap { buf, .. }, .. }) => self.captures.get(*buf).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        self.pop_ctx();
        text
    }

    /// A frame ran off its end.
    fn end_frame(&mut self, host: &mut dyn Host) {
        let f = match self.frames.pop() {
            Some(f) => f,
            None => return,
        };
        while self.ctx.len() > f.ctx_base {
            self.pop_ctx();
        }
        if let Some((fds, n)) = f.restore.clone() {
            self.fds = fds;
            self.stdin.truncate(n);
        }
        match f.kind {
            FrameKind::Main => {
                self.frames.push(f);
                self.exit_process(self.status, host);
            }
            FrameKind::Child { saved } => self.scope = *saved,
            FrameKind::Function { saved_args } => self.scope.args = saved_args,
            FrameKind::Trap { status, exit_after } => match exit_after {
                Some(s) => self.exited = Some(s),
                None => self.status = status,
            },
            FrameKind::Eval => {}
        }
    }

    /// The shell (PID 1's) exits: run the EXIT trap once, then stop.
    pub(super) fn exit_process(&mut self, status: i32, _host: &mut dyn Host) {
        self.ctx.clear();
        self.captures.clear();
        self.stdin.clear();
        self.fds = Fds { out: Sink::Stdout, err: Sink::Stderr };
        let exit_trap = self.scope.traps.remove("EXIT").filter(|s| !s.is_empty());
        self.frames.clear();
        self.status = status;
        if let Some(src) = exit_trap {
            if let Ok(p) = Program::parse(&src) {
                self.push_frame(p.code, FrameKind::Trap { status, exit_after: Some(status) });
                return;
            }
        }
        self.exited = Some(status);
    }

    /// `exit N`: leave the innermost subshell or child shell, or end the process.
    pub(super) fn unwind_exit(&mut self, status: i32, host: &mut dyn Host) {
        self.status = status;
        loop {
            let base = match self.frames.last() {
                Some(f) => f.ctx_base,
                None => {
                    self.exited = Some(status);
                    return;
                }
            };
            while self.ctx.len() > base {
                let end = match self.ctx.last().map(|c| &c.kind) {
                    Some(CtxKind::Sub { end, .. }) | Some(CtxKind::Cap { end, .. }) => Some(*end),
                    _ => None,
                };
                if let Some(end) = end {
                    // Let the subshell's closing operation run (it pops the context).
                    self.set_pc(end);
                    return;
                }
                self.pop_ctx();
            }
            let f = match self.frames.pop() {
                Some(f) => f,
                None => continue,
            };
            if let Some((fds, n)) = f.restore.clone() {
                self.fds = fds;
                self.stdin.truncate(n);
            }
            match f.kind {
                FrameKind::Child { saved } => {
                    self.scope = *saved;
                    self.status = status;
                    return;
                }
                FrameKind::Main => {
                    self.exit_process(status, host);
                    return;
                }
                FrameKind::Trap { exit_after: Some(_), .. } => {
                    self.exited = Some(status);
                    self.frames.clear();
                    return;
                }
                FrameKind::Function { saved_args } => self.scope.args = saved_args,
                FrameKind::Trap { .. } | FrameKind::Eval => {}
            }
        }
    }

    /// `break N` / `continue N`.
    pub(super) fn unwind_loop(&mut self, n: usize, cont: bool) -> bool {
        let base = self.frames.last().map(|f| f.ctx_base).unwrap_or(0);
        let mut seen = 0;
        let mut target = None;
        for i in (base..self.ctx.len()).rev() {
            match &self.ctx[i].kind {
                CtxKind::Loop { .. } => {
                    seen += 1;
                    target = Some(i);
                    if seen == n {
                        break;
                    }
                }
                CtxKind::Sub { .. } | CtxKind::Cap { .. } | CtxKind::Bg { .. } => break,
                _ => {}
            }
        }
        let i = match target {
            Some(i) => i,
            None => return false,
        };
        while self.ctx.len() > i + 1 {
            self.pop_ctx();
        }
        let (brk, c) = match &mut self.ctx[i].kind {
            CtxKind::Loop { brk, cont, last, .. } => {
                *last = 0;
                (*brk, *cont)
            }
            _ => return false,
        };
        self.status = 0;
        self.set_pc(if cont { c } else { brk });
        true
    }

    /// `return N`: leave the innermost function (or `.`/`eval` script).
    pub(super) fn unwind_return(&mut self, status: i32) -> bool {
        let idx = match self.frames.iter().rposition(|f| matches!(f.kind, FrameKind::Function { .. } | FrameKind::Eval))
        {
            Some(i)
                if !self.frames[i..]
                    .iter()
                    .any(|f| matches!(f.kind, FrameKind::Child { .. } | FrameKind::Trap { .. })) =>
            {
                i
            }
            _ => return false,
        };
        while self.frames.len() > idx + 1 {
            if let Some(f) = self.frames.pop() {
                if let FrameKind::Function { saved_args } = f.kind {
                    self.scope.args = saved_args;
                }
            }
        }
        if let Some(f) = self.frames.pop() {
            while self.ctx.len() > f.ctx_base {
                self.pop_ctx();
            }
            if let Some((fds, n)) = f.restore {
                self.fds = fds;
                self.stdin.truncate(n);
            }
            if let FrameKind::Function { saved_args } = f.kind {
                self.scope.args = saved_args;
            }
        }
        self.status = status;
        true
    }

    /// Run a frame (function, child shell) with the current redirections, restored when it ends.
    pub(super) fn push_frame_with(&mut self, code: Arc<Code>, kind: FrameKind, restore: (Fds, usize)) -> Flow {
        if self.frames.len() >= 1000 {
            return Flow::Done(2);
        }
        self.push_frame(code, kind);
        if let Some(f) = self.frames.last_mut() {
            f.restore = Some(restore);
        }
        Flow::Pushed
    }

    pub(super) fn slot(&self, id: usize) -> String {
        self.frames.last().and_then(|f| f.slots.get(&id).cloned()).unwrap_or_default()
    }

    pub(super) fn in_background(&self) -> bool {
        self.ctx.iter().any(|c| matches!(c.kind, CtxKind::Bg { .. }))
    }

    /// A fatal shell error (bad substitution, arithmetic error): message, then exit 2 from the
    /// innermost subshell or the shell.
    pub(super) fn fatal(&mut self, msg: &str, host: &mut dyn Host) {
        self.err_line(host, msg);
        self.unwind_exit(2, host);
    }

    pub(super) fn arg0(&self) -> String {
        self.scope.args.first().cloned().unwrap_or_else(|| "sh".into())
    }

    /// `sh: msg` on standard error.
    pub(super) fn err_line(&mut self, host: &mut dyn Host, msg: &str) {
        let line = format!("{}: {}\n", self.arg0(), msg);
        self.write_err(host, &line);
    }

    pub(super) fn write_out(&mut self, host: &mut dyn Host, text: &str) {
        let s = self.fds.out.clone();
        self.write_sink(&s, host, text);
    }

    pub(super) fn write_err(&mut self, host: &mut dyn Host, text: &str) {
        let s = self.fds.err.clone();
        self.write_sink(&s, host, text);
    }

    pub(super) fn write_sink(&mut self, sink: &Sink, host: &mut dyn Host, text: &str) {
        if text.is_empty() {
            return;
        }
        match sink {
            Sink::Stdout => host.stdout(text),
            Sink::Stderr => host.stderr(text),
            Sink::Null => {}
            Sink::File(p) => {
                let now = self.now;
                let _ = host.fs().write(p, text, WriteMode::Append, now);
            }
            Sink::Capture(i) => {
                if let Some(b) = self.captures.get_mut(*i) {
                    if b.len() + text.len() <= MAX_VALUE {
                        b.push_str(text);
                    }
                }
            }
        }
    }

    /// All remaining standard input.
    pub(super) fn read_stdin(&mut self) -> String {
        match self.stdin.last_mut() {
            Some(i) => {
                let s = i.data.get(i.pos..).unwrap_or("").to_string();
                i.pos = i.data.len();
                s
            }
            None => String::new(),
        }
    }

    /// One line of standard input (without its newline), `None` at the end.
    pub(super) fn read_line(&mut self) -> Option<String> {
        let i = self.stdin.last_mut()?;
        let rest = i.data.get(i.pos..)?;
        if rest.is_empty() {
            return None;
        }
        match rest.find('\n') {
            Some(n) => {
                let line = rest[..n].to_string();
                i.pos += n + 1;
                Some(line)
            }
            None => {
                let line = rest.to_string();
                i.pos = i.data.len();
                Some(line)
            }
        }
    }

    pub(super) fn set_var(&mut self, name: &str, value: String) -> Result<(), String> {
        if value.len() > MAX_VALUE {
            return Err("out of memory".into());
        }
        match self.scope.vars.get_mut(name) {
            Some(v) => v.value = value,
            None => {
                self.scope.vars.insert(name.to_string(), Var { value, exported: false });
            }
        }
        Ok(())
    }

    pub(super) fn get_var(&self, name: &str) -> Option<&str> {
        self.scope.vars.get(name).map(|v| v.value.as_str())
    }

    /// The exported environment plus a command's own assignments.
    pub(super) fn environ(&self, assigns: &[(String, String)]) -> BTreeMap<String, String> {
        let mut env: BTreeMap<String, String> =
            self.scope.vars.iter().filter(|(_, v)| v.exported).map(|(k, v)| (k.clone(), v.value.clone())).collect();
        for (k, v) in assigns {
            env.insert(k.clone(), v.clone());
        }
        env
    }

    pub(super) fn path(&self, p: &str) -> String {
        normalize(&self.scope.cwd, p)
    }

    fn simple(&mut self, s: &Simple, host: &mut dyn Host) {
        let argv = match self.expand_words(&s.words, host) {
            Ok(v) => v,
            Err(e) => return self.fatal(&e, host),
        };
        let mut assigns = Vec::new();
        for (n, w) in &s.assigns {
            match self.expand_single(w, host) {
                Ok(v) => assigns.push((n.clone(), v)),
                Err(e) => return self.fatal(&e, host),
            }
        }
        self.line = s.line;
        let fds = self.fds.clone();
        let stdin_len = self.stdin.len();
        if let Err(msg) = self.apply_redirs(&s.redirs, host) {
            self.fds = fds;
            self.stdin.truncate(stdin_len);
            self.err_line(host, &msg);
            self.status = if argv.is_empty() { 1 } else { 2 };
            return;
        }
        if argv.is_empty() {
            let had_subst =
                s.assigns.iter().any(|(_, w)| has_subst(w)) || s.redirs.iter().any(|r| has_subst(&r.target));
            for (n, v) in assigns {
                if let Err(e) = self.set_var(&n, v) {
                    self.fds = fds;
                    return self.fatal(&e, host);
                }
            }
            if !had_subst {
                self.status = 0;
            }
            self.fds = fds;
            self.stdin.truncate(stdin_len);
            return;
        }
        match self.run_command(&argv, &assigns, (fds.clone(), stdin_len), host) {
            Flow::Done(st) => {
                self.status = st;
                self.fds = fds;
                self.stdin.truncate(stdin_len);
            }
            Flow::Pushed | Flow::Unwound => {}
        }
    }

    fn apply_redirs(&mut self, redirs: &[Redir], host: &mut dyn Host) -> Result<(), String> {
        for r in redirs {
            let target = self.expand_single(&r.target, host)?;
            match &r.op {
                RedirOp::Out | RedirOp::Append | RedirOp::ReadWrite if r.op != RedirOp::ReadWrite || r.fd != 0 => {
                    let sink = self.open_out(&target, r.op == RedirOp::Append, host)?;
                    self.set_fd(r.fd, sink);
                }
                RedirOp::In | RedirOp::ReadWrite => {
                    let data = match target.as_str() {
                        "/dev/null" => String::new(),
                        _ => {
                            let p = self.path(&target);
                            match host.fs().read(&p) {
                                Ok(d) => d,
                                Err(FsError::NotFound) => return Err(format!("can't open {target}: no such file")),
                                Err(e) => return Err(format!("can't open {target}: {}", e.strerror())),
                            }
                        }
                    };
                    if r.fd == 0 {
                        self.stdin.push(Input { data, pos: 0 });
                    }
                }
                RedirOp::HereDoc(_) if r.fd == 0 => self.stdin.push(Input { data: target, pos: 0 }),
                RedirOp::HereDoc(_) => {}
                RedirOp::DupOut | RedirOp::DupIn => {
                    let sink = match target.as_str() {
                        "1" => self.fds.out.clone(),
                        "2" => self.fds.err.clone(),
                        "-" => Sink::Null,
                        "0" => continue,
                        // ash: `sh: 5: bad file descriptor` — informed guess for descriptors we lack.
                        t => return Err(format!("{t}: bad file descriptor")),
                    };
                    self.set_fd(r.fd, sink);
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn set_fd(&mut self, fd: u32, sink: Sink) {
        match fd {
            1 => self.fds.out = sink,
            2 => self.fds.err = sink,
            _ => {}
        }
    }

    fn open_out(&mut self, target: &str, append: bool, host: &mut dyn Host) -> Result<Sink, String> {
        match target {
            "/dev/null" => return Ok(Sink::Null),
            "/dev/stdout" | "/proc/self/fd/1" => return Ok(self.fds.out.clone()),
            "/dev/stderr" | "/proc/self/fd/2" => return Ok(self.fds.err.clone()),
            _ => {}
        }
        let p = self.path(target);
        let mode = if append { WriteMode::Append } else { WriteMode::Truncate };
        match host.fs().write(&p, "", mode, self.now) {
            Ok(()) => Ok(Sink::File(p)),
            Err(FsError::NotFound) => Err(format!("can't create {target}: nonexistent directory")),
            Err(e) => Err(format!("can't create {target}: {}", e.strerror())),
        }
    }
}

fn has_subst(w: &super::parse::Word) -> bool {
    w.parts.iter().any(|p| matches!(p, super::parse::Part::Subst { .. }))
}

/// Single-quote a word for the shell.
pub(super) fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
