//! Compiling the AST to a flat list of operations with jump targets. A running shell is then just a
//! program counter per frame plus a stack of contexts (redirections, subshells, loops), all plain data, so
//! it can stop after any operation and carry on later.
//!
//! Command substitutions are compiled inline, *before* the operation whose words use them: `CapBegin`,
//! the substitution's code, `CapEnd` (which stores the captured text in a slot of the frame). Words then
//! read the slot when they are expanded.

use std::sync::Arc;

use super::parse::{Ast, Command, Compound, List, ParamOp, Part, Pipeline, Redir, RedirOp, Simple, Word};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Simple(Arc<Simple>),
    Jump(usize),
    JumpIfFalse(usize),
    JumpIfTrue(usize),
    Not,
    SetStatus(i32),
    /// Start capturing standard output in a subshell; `end` is the index of the matching `CapEnd`/`PipeEnd`.
    CapBegin {
        end: usize,
    },
    /// Store the captured output (trailing newlines removed) in the frame's slot.
    CapEnd {
        slot: usize,
    },
    /// End of a pipeline element other than the last: its output becomes the next one's input.
    PipeEnd {
        first: bool,
    },
    /// After the last element of a pipeline: drop the input it was given.
    PipeDone,
    SubBegin {
        end: usize,
    },
    SubEnd,
    /// Background (`&`): run in a subshell where `sleep` does not block but becomes a job.
    BgBegin {
        end: usize,
    },
    BgEnd,
    /// Apply redirections for a compound command; on failure skip to `end` (after the matching `RedirPop`).
    RedirPush {
        redirs: Arc<Vec<Redir>>,
        end: usize,
    },
    RedirPop,
    LoopBegin {
        brk: usize,
        cont: usize,
    },
    /// Remember the body's status as the loop's.
    LoopBody,
    LoopEnd,
    ForInit(Option<Arc<Vec<Word>>>),
    ForNext {
        var: String,
        exit: usize,
    },
    CaseBegin(Word),
    CaseTest {
        pats: Arc<Vec<Word>>,
        next: usize,
    },
    CaseEnd,
    DefFunc(String, Arc<Code>),
}

/// Compiled code: the operations and the here-document bodies they refer to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Code {
    pub ops: Vec<Op>,
}

pub fn compile(ast: &Ast) -> Arc<Code> {
    let mut c = Compiler { ast, ops: Vec::new() };
    c.list(&ast.body);
    Arc::new(Code { ops: c.ops })
}

struct Compiler<'a> {
    ast: &'a Ast,
    ops: Vec<Op>,
}

fn collect_word(w: &Word, out: &mut Vec<usize>) {
    for p in &w.parts {
        match p {
            Part::Subst { id, .. } => out.push(*id),
            Part::Arith { expr, .. } => collect_word(expr, out),
            Part::Param { op, .. } => match op.as_ref() {
                ParamOp::Plain | ParamOp::Len => {}
                ParamOp::Default(_, w)
                | ParamOp::Assign(_, w)
                | ParamOp::Alt(_, w)
                | ParamOp::Error(_, w)
                | ParamOp::TrimPrefix(_, w)
                | ParamOp::TrimSuffix(_, w) => collect_word(w, out),
            },
            _ => {}
        }
    }
}

impl Compiler<'_> {
    fn here(&self) -> usize {
        self.ops.len()
    }

    fn emit(&mut self, op: Op) -> usize {
        self.ops.push(op);
        self.ops.len() - 1
    }

    fn patch(&mut self, at: usize, target: usize) {
        match &mut self.ops[at] {
            Op::Jump(t) | Op::JumpIfFalse(t) | Op::JumpIfTrue(t) => *t = target,
            Op::CapBegin { end } | Op::SubBegin { end } | Op::BgBegin { end } => *end = target,
            Op::LoopBegin { brk, .. } => *brk = target,
            Op::ForNext { exit, .. } => *exit = target,
            Op::CaseTest { next, .. } => *next = target,
            _ => {}
        }
    }

    /// Run the substitutions some words use, each into its slot.
    fn substs(&mut self, words: &[&Word]) {
        let mut ids = Vec::new();
        for w in words {
            collect_word(w, &mut ids);
        }
        for id in ids {
            let b = self.emit(Op::CapBegin { end: 0 });
            if let Some(l) = self.ast.substs.get(id) {
                self.list(l);
            }
            let e = self.emit(Op::CapEnd { slot: id });
            self.patch(b, e);
        }
    }

    fn resolve_redirs(&self, redirs: &[Redir]) -> Vec<Redir> {
        redirs
            .iter()
            .map(|r| match r.op {
                RedirOp::HereDoc(i) => Redir {
                    fd: r.fd,
                    op: RedirOp::HereDoc(i),
                    target: self.ast.heredocs.get(i).cloned().unwrap_or_default(),
                },
                _ => r.clone(),
            })
            .collect()
    }

    fn list(&mut self, l: &List) {
        for ao in &l.0 {
            let bg = if ao.background { Some(self.emit(Op::BgBegin { end: 0 })) } else { None };
            self.pipeline(&ao.first);
            for (and, p) in &ao.rest {
                let j = self.emit(if *and { Op::JumpIfFalse(0) } else { Op::JumpIfTrue(0) });
                self.pipeline(p);
                let h = self.here();
                self.patch(j, h);
            }
            if let Some(b) = bg {
                let e = self.emit(Op::BgEnd);
                self.patch(b, e);
            }
        }
    }

    fn pipeline(&mut self, p: &Pipeline) {
        let n = p.cmds.len();
        if n == 1 {
            self.command(&p.cmds[0]);
        } else {
            for (i, c) in p.cmds.iter().enumerate() {
                if i + 1 < n {
                    let b = self.emit(Op::CapBegin { end: 0 });
                    self.command(c);
                    let e = self.emit(Op::PipeEnd { first: i == 0 });
                    self.patch(b, e);
                } else {
                    let b = self.emit(Op::SubBegin { end: 0 });
                    self.command(c);
                    let e = self.emit(Op::SubEnd);
                    self.patch(b, e);
                    self.emit(Op::PipeDone);
                }
            }
        }
        if p.bang {
            self.emit(Op::Not);
        }
    }

    fn command(&mut self, c: &Command) {
        match c {
            Command::Simple(s) => {
                let redirs = self.resolve_redirs(&s.redirs);
                let mut ws: Vec<&Word> = s.assigns.iter().map(|(_, w)| w).collect();
                ws.extend(s.words.iter());
                ws.extend(redirs.iter().map(|r| &r.target));
                self.substs(&ws);
                self.emit(Op::Simple(Arc::new(Simple {
                    line: s.line,
                    assigns: s.assigns.clone(),
                    words: s.words.clone(),
                    redirs,
                })));
            }
            Command::FuncDef(name, body) => {
                let mut sub = Compiler { ast: self.ast, ops: Vec::new() };
                sub.command(body);
                self.emit(Op::DefFunc(name.clone(), Arc::new(Code { ops: sub.ops })));
            }
            Command::Compound(comp, redirs) => {
                let redirs = self.resolve_redirs(redirs);
                if !redirs.is_empty() {
                    let ws: Vec<&Word> = redirs.iter().map(|r| &r.target).collect();
                    self.substs(&ws);
                    let p = self.emit(Op::RedirPush { redirs: Arc::new(redirs.clone()), end: 0 });
                    self.compound(comp);
                    self.emit(Op::RedirPop);
                    let h = self.here();
                    if let Op::RedirPush { end, .. } = &mut self.ops[p] {
                        *end = h;
                    }
                } else {
                    self.compound(comp);
                }
            }
        }
    }

    fn compound(&mut self, c: &Compound) {
        match c {
            Compound::Brace(l) => self.list(l),
            Compound::Subshell(l) => {
                let b = self.emit(Op::SubBegin { end: 0 });
                self.list(l);
                let e = self.emit(Op::SubEnd);
                self.patch(b, e);
            }
            Compound::If(arms, els) => {
                let mut ends = Vec::new();
                for (cond, body) in arms {
                    self.list(cond);
                    let j = self.emit(Op::JumpIfFalse(0));
                    self.list(body);
                    ends.push(self.emit(Op::Jump(0)));
                    let h = self.here();
                    self.patch(j, h);
                }
                match els {
                    Some(l) => self.list(l),
                    None => {
                        self.emit(Op::SetStatus(0));
                    }
                }
                let h = self.here();
                for e in ends {
                    self.patch(e, h);
                }
            }
            Compound::Loop { until, cond, body } => {
                let lb = self.emit(Op::LoopBegin { brk: 0, cont: 0 });
                let cond_at = self.here();
                self.list(cond);
                let j = self.emit(if *until { Op::JumpIfTrue(0) } else { Op::JumpIfFalse(0) });
                self.list(body);
                self.emit(Op::LoopBody);
                self.emit(Op::Jump(cond_at));
                let end = self.emit(Op::LoopEnd);
                self.patch(j, end);
                self.ops[lb] = Op::LoopBegin { brk: end, cont: cond_at };
            }
            Compound::For { var, words, body } => {
                let lb = self.emit(Op::LoopBegin { brk: 0, cont: 0 });
                if let Some(ws) = words {
                    let refs: Vec<&Word> = ws.iter().collect();
                    self.substs(&refs);
                }
                self.emit(Op::ForInit(words.as_ref().map(|w| Arc::new(w.clone()))));
                let next = self.emit(Op::ForNext { var: var.clone(), exit: 0 });
                self.list(body);
                self.emit(Op::LoopBody);
                self.emit(Op::Jump(next));
                let end = self.emit(Op::LoopEnd);
                self.patch(next, end);
                self.ops[lb] = Op::LoopBegin { brk: end, cont: next };
            }
            Compound::Case { word, arms } => {
                let mut ws: Vec<&Word> = vec![word];
                for (pats, _) in arms {
                    ws.extend(pats.iter());
                }
                self.substs(&ws);
                self.emit(Op::CaseBegin(word.clone()));
                let mut ends = Vec::new();
                for (pats, body) in arms {
                    let t = self.emit(Op::CaseTest { pats: Arc::new(pats.clone()), next: 0 });
                    self.emit(Op::SetStatus(0));
                    self.list(body);
                    ends.push(self.emit(Op::Jump(0)));
                    let h = self.here();
                    self.patch(t, h);
                }
                self.emit(Op::SetStatus(0));
                let end = self.emit(Op::CaseEnd);
                for e in ends {
                    self.patch(e, end);
                }
            }
        }
    }
}
