//! Text helpers the commands share: shell patterns, a small regular-expression matcher for `grep`,
//! `date` formatting, `printf`/`echo -e` escapes.

use std::cell::Cell;

use crate::clock::{Millis, EPOCH_UNIX_SECONDS};

pub fn has_glob(s: &str) -> bool {
    let mut esc = false;
    for c in s.chars() {
        if esc {
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else if matches!(c, '*' | '?' | '[') {
            return true;
        }
    }
    false
}

pub fn unescape_glob(s: &str) -> String {
    let mut o = String::new();
    let mut esc = false;
    for c in s.chars() {
        if !esc && c == '\\' {
            esc = true;
        } else {
            o.push(c);
            esc = false;
        }
    }
    o
}

/// Match a bracket expression at `p[i]` (just after `[`) against `c`: `Some((matched, index after ]))`,
/// or `None` when there is no closing `]` (then `[` is literal).
fn bracket(p: &[char], mut i: usize, c: char, fold: bool) -> Option<(bool, usize)> {
    let mut neg = false;
    if i < p.len() && (p[i] == '!' || p[i] == '^') {
        neg = true;
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    let cl = if fold { c.to_ascii_lowercase() } else { c };
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((matched != neg, i + 1));
        }
        first = false;
        if p[i] == '[' && p.get(i + 1) == Some(&':') {
            let rest: String = p[i + 2..].iter().collect();
            if let Some(end) = rest.find(":]") {
                let class = &rest[..end];
                let m = match class {
                    "alpha" => c.is_alphabetic(),
                    "digit" => c.is_ascii_digit(),
                    "alnum" => c.is_alphanumeric(),
                    "space" => c.is_whitespace(),
                    "upper" => c.is_uppercase(),
                    "lower" => c.is_lowercase(),
                    "punct" => c.is_ascii_punctuation(),
                    "xdigit" => c.is_ascii_hexdigit(),
                    _ => false,
                };
                matched |= m;
                i += 2 + rest[..end].chars().count() + 2;
                continue;
            }
        }
        let mut lo = p[i];
        if lo == '\\' && i + 1 < p.len() {
            i += 1;
            lo = p[i];
        }
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|x| *x != ']') {
            let hi = p[i + 2];
            if (lo..=hi).contains(&c) || (fold && (lo.to_ascii_lowercase()..=hi.to_ascii_lowercase()).contains(&cl)) {
                matched = true;
            }
            i += 3;
        } else {
            if lo == c || (fold && lo.to_ascii_lowercase() == cl) {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

/// Shell pattern matching (`case`, globs, `${x#pat}`): `*`, `?`, `[…]`, `\x`.
pub fn fnmatch(pat: &str, s: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let s: Vec<char> = s.chars().collect();
    let (mut pi, mut si) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, si));
                    pi += 1;
                    continue;
                }
                '?' if si < s.len() => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                '[' if si < s.len() => {
                    if let Some((m, next)) = bracket(&p, pi + 1, s[si], false) {
                        if m {
                            pi = next;
                            si += 1;
                            continue;
                        }
                    } else if s[si] == '[' {
                        pi += 1;
                        si += 1;
                        continue;
                    }
                }
                '\\' if pi + 1 < p.len() && si < s.len() && s[si] == p[pi + 1] => {
                    pi += 2;
                    si += 1;
                    continue;
                }
                '\\' if pi + 1 < p.len() => {}
                c if c != '?' && c != '[' && si < s.len() && s[si] == c => {
                    pi += 1;
                    si += 1;
                    continue;
                }
                _ => {}
            }
        } else if si == s.len() {
            return true;
        }
        match star {
            Some((sp, ss)) if ss < s.len() => {
                star = Some((sp, ss + 1));
                pi = sp + 1;
                si = ss + 1;
            }
            _ => return false,
        }
    }
}

// ---- regular expressions (grep) ----

#[derive(Clone, Debug)]
enum Re {
    Char(char),
    Any,
    /// Pattern text of a bracket expression (after `[`), matched with [`bracket`].
    Class(Vec<char>),
    Start,
    End,
    Group(Vec<Vec<Re>>),
    Repeat(Box<Re>, usize, usize),
}

/// A compiled `grep` pattern (basic or `-E` extended syntax).
pub struct Regex {
    alts: Vec<Vec<Re>>,
    fold: bool,
}

impl Regex {
    pub fn new(pat: &str, extended: bool, fold: bool) -> Result<Regex, String> {
        let chars: Vec<char> = pat.chars().collect();
        let mut i = 0;
        let alts = parse_alts(&chars, &mut i, extended, 0)?;
        Ok(Regex { alts, fold })
    }

    /// A literal string (`grep -F`).
    pub fn literal(pat: &str, fold: bool) -> Regex {
        Regex { alts: vec![pat.chars().map(Re::Char).collect()], fold }
    }

    pub fn is_match(&self, line: &str) -> bool {
        let s: Vec<char> =
            if self.fold { line.chars().map(|c| c.to_ascii_lowercase()).collect() } else { line.chars().collect() };
        let budget = Cell::new(200_000usize);
        for start in 0..=s.len() {
            for alt in &self.alts {
                if m(alt, &s, start, self.fold, &budget, &mut |_| true) {
                    return true;
                }
            }
            if budget.get() == 0 {
                return false;
            }
        }
        false
    }
}

fn parse_alts(p: &[char], i: &mut usize, ere: bool, depth: usize) -> Result<Vec<Vec<Re>>, String> {
    if depth > 50 {
        return Err("regular expression too big".into());
    }
    let mut alts = vec![Vec::new()];
    while *i < p.len() {
        let c = p[*i];
        let esc = c == '\\' && *i + 1 < p.len();
        let n = if esc { p[*i + 1] } else { c };
        let is_alt = if ere { !esc && c == '|' } else { esc && n == '|' };
        let is_open = if ere { !esc && c == '(' } else { esc && n == '(' };
        let is_close = if ere { !esc && c == ')' } else { esc && n == ')' };
        if is_close && depth > 0 {
            return Ok(alts);
        }
        let cur = alts.last_mut().expect("at least one alternative");
        if is_alt {
            *i += if esc { 2 } else { 1 };
            alts.push(Vec::new());
            continue;
        }
        if is_open {
            *i += if esc { 2 } else { 1 };
            let g = parse_alts(p, i, ere, depth + 1)?;
            // skip the closing paren
            if *i < p.len() && p[*i] == '\\' {
                *i += 2;
            } else if *i < p.len() {
                *i += 1;
            } else {
                return Err("Unmatched ( or \\(".into());
            }
            cur.push(Re::Group(g));
            continue;
        }
        let star = !esc && c == '*' && !cur.is_empty();
        let plus = if ere { !esc && c == '+' } else { esc && n == '+' };
        let quest = if ere { !esc && c == '?' } else { esc && n == '?' };
        if (star || plus || quest) && !cur.is_empty() {
            *i += if esc { 2 } else { 1 };
            let last = cur.pop().expect("checked non-empty");
            let (lo, hi) = if star {
                (0, usize::MAX)
            } else if plus {
                (1, usize::MAX)
            } else {
                (0, 1)
            };
            cur.push(Re::Repeat(Box::new(last), lo, hi));
            continue;
        }
        *i += 1;
        if esc {
            *i += 1;
            cur.push(match n {
                'w' => Re::Class("[:alnum:]_]".chars().collect()),
                's' => Re::Class("[:space:]]".chars().collect()),
                _ => Re::Char(n),
            });
            continue;
        }
        match c {
            '.' => cur.push(Re::Any),
            '^' if cur.is_empty() => cur.push(Re::Start),
            '$' if *i == p.len() || (ere && p[*i] == '|') || (ere && p[*i] == ')') => cur.push(Re::End),
            '[' => {
                let start = *i;
                let mut j = *i;
                if j < p.len() && (p[j] == '^' || p[j] == '!') {
                    j += 1;
                }
                if j < p.len() && p[j] == ']' {
                    j += 1;
                }
                while j < p.len() && p[j] != ']' {
                    if p[j] == '[' && p.get(j + 1) == Some(&':') {
                        while j < p.len() && !(p[j] == ']' && p[j - 1] == ':') {
                            j += 1;
                        }
                    }
                    j += 1;
                }
                if j >= p.len() {
                    return Err("Unmatched [, [^, [:, [., or [=".into());
                }
                let mut cls: Vec<char> = p[start..=j].to_vec();
                if cls.first() == Some(&'^') {
                    cls[0] = '!';
                }
                cur.push(Re::Class(cls));
                *i = j + 1;
            }
            c => cur.push(Re::Char(c)),
        }
    }
    Ok(alts)
}

fn m(nodes: &[Re], s: &[char], i: usize, fold: bool, budget: &Cell<usize>, k: &mut dyn FnMut(usize) -> bool) -> bool {
    if budget.get() == 0 {
        return false;
    }
    budget.set(budget.get() - 1);
    let (first, rest) = match nodes.split_first() {
        None => return k(i),
        Some(x) => x,
    };
    match first {
        Re::Start => i == 0 && m(rest, s, i, fold, budget, k),
        Re::End => i == s.len() && m(rest, s, i, fold, budget, k),
        Re::Char(c) => {
            let c = if fold { c.to_ascii_lowercase() } else { *c };
            i < s.len() && s[i] == c && m(rest, s, i + 1, fold, budget, k)
        }
        Re::Any => i < s.len() && m(rest, s, i + 1, fold, budget, k),
        Re::Class(cls) => {
            i < s.len()
                && bracket(cls, 0, s[i], fold).map(|(ok, _)| ok).unwrap_or(false)
                && m(rest, s, i + 1, fold, budget, k)
        }
        Re::Group(alts) => {
            for alt in alts {
                if m(alt, s, i, fold, budget, &mut |j| m(rest, s, j, fold, budget, k)) {
                    return true;
                }
            }
            false
        }
        Re::Repeat(node, lo, hi) => rep(node, *lo, *hi, rest, s, i, fold, budget, k, 0),
    }
}

#[allow(clippy::too_many_arguments)]
fn rep(
    node: &Re,
    lo: usize,
    hi: usize,
    rest: &[Re],
    s: &[char],
    i: usize,
    fold: bool,
    budget: &Cell<usize>,
    k: &mut dyn FnMut(usize) -> bool,
    count: usize,
) -> bool {
    if budget.get() == 0 || count > s.len() + 1 {
        return false;
    }
    budget.set(budget.get() - 1);
    // Greedy: try one more first.
    if count < hi {
        let one = std::slice::from_ref(node);
        let mut positions = Vec::new();
        m(one, s, i, fold, budget, &mut |j| {
            positions.push(j);
            false
        });
        for j in positions {
            if j != i && rep(node, lo, hi, rest, s, j, fold, budget, k, count + 1) {
                return true;
            }
        }
    }
    count >= lo && m(rest, s, i, fold, budget, k)
}

// ---- date ----

/// Days since 1970-01-01 to (year, month 1-12, day 1-31).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The wall-clock parts of a simulated instant (UTC).
pub struct Tm {
    pub unix: i64,
    pub year: i64,
    pub mon: u32,
    pub day: u32,
    pub hour: u32,
    pub min: u32,
    pub sec: u32,
    pub wday: usize,
    pub yday: u32,
    pub ms: u32,
}

pub fn tm(now: Millis) -> Tm {
    let unix = EPOCH_UNIX_SECONDS + (now / 1000) as i64;
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (year, mon, day) = civil_from_days(days);
    let jan1 = days_from_civil(year, 1, 1);
    Tm {
        unix,
        year,
        mon,
        day,
        hour: (secs / 3600) as u32,
        min: (secs / 60 % 60) as u32,
        sec: (secs % 60) as u32,
        wday: (days + 4).rem_euclid(7) as usize,
        yday: (days - jan1) as u32 + 1,
        ms: (now % 1000) as u32,
    }
}

pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// strftime for the formats `date +FMT` and `ls -l` need (UTC only).
pub fn strftime(fmt: &str, now: Millis) -> String {
    let t = tm(now);
    let mut o = String::new();
    let mut it = fmt.chars();
    while let Some(c) = it.next() {
        if c != '%' {
            o.push(c);
            continue;
        }
        let Some(f) = it.next() else {
            o.push('%');
            break;
        };
        let s = match f {
            'Y' => t.year.to_string(),
            'C' => format!("{:02}", t.year / 100),
            'y' => format!("{:02}", t.year % 100),
            'm' => format!("{:02}", t.mon),
            'd' => format!("{:02}", t.day),
            'e' => format!("{:>2}", t.day),
            'H' => format!("{:02}", t.hour),
            'k' => format!("{:>2}", t.hour),
            'I' => format!("{:02}", (t.hour + 11) % 12 + 1),
            'l' => format!("{:>2}", (t.hour + 11) % 12 + 1),
            'M' => format!("{:02}", t.min),
            'S' => format!("{:02}", t.sec),
            's' => t.unix.to_string(),
            'N' => format!("{:09}", t.ms as u64 * 1_000_000),
            'j' => format!("{:03}", t.yday),
            'a' => DAYS[t.wday][..3].to_string(),
            'A' => DAYS[t.wday].to_string(),
            'b' | 'h' => MONTHS[(t.mon - 1) as usize][..3].to_string(),
            'B' => MONTHS[(t.mon - 1) as usize].to_string(),
            'p' => if t.hour < 12 { "AM" } else { "PM" }.to_string(),
            'u' => (if t.wday == 0 { 7 } else { t.wday }).to_string(),
            'w' => t.wday.to_string(),
            'Z' => "UTC".to_string(),
            'z' => "+0000".to_string(),
            'T' => format!("{:02}:{:02}:{:02}", t.hour, t.min, t.sec),
            'R' => format!("{:02}:{:02}", t.hour, t.min),
            'D' => format!("{:02}/{:02}/{:02}", t.mon, t.day, t.year % 100),
            'F' => format!("{}-{:02}-{:02}", t.year, t.mon, t.day),
            'c' => strftime("%a %b %e %H:%M:%S %Y", now),
            'x' => strftime("%m/%d/%y", now),
            'X' => strftime("%H:%M:%S", now),
            'n' => "\n".to_string(),
            't' => "\t".to_string(),
            '%' => "%".to_string(),
            other => format!("%{other}"),
        };
        o.push_str(&s);
    }
    o
}

// ---- escapes and printf ----

/// Backslash escapes of `echo -e` (`octal_zero`: `\0NNN`) and `printf` (`\NNN`). Returns the text and
/// whether `\c` asked to stop output.
pub fn unescape(s: &str, octal_zero: bool) -> (String, bool) {
    let c: Vec<char> = s.chars().collect();
    let mut o = String::new();
    let mut i = 0;
    while i < c.len() {
        if c[i] != '\\' || i + 1 >= c.len() {
            o.push(c[i]);
            i += 1;
            continue;
        }
        i += 1;
        match c[i] {
            'n' => o.push('\n'),
            't' => o.push('\t'),
            'r' => o.push('\r'),
            'a' => o.push('\x07'),
            'b' => o.push('\x08'),
            'f' => o.push('\x0c'),
            'v' => o.push('\x0b'),
            'e' => o.push('\x1b'),
            '\\' => o.push('\\'),
            'c' => return (o, true),
            'x' => {
                let mut v = 0u32;
                let mut n = 0;
                while n < 2 && i + 1 < c.len() && c[i + 1].is_ascii_hexdigit() {
                    i += 1;
                    v = v * 16 + c[i].to_digit(16).unwrap_or(0);
                    n += 1;
                }
                if n == 0 {
                    o.push_str("\\x");
                } else {
                    o.push(char::from_u32(v).unwrap_or('?'));
                }
            }
            d if (octal_zero && d == '0') || (!octal_zero && d.is_digit(8)) => {
                let mut v = if octal_zero { 0 } else { d.to_digit(8).unwrap_or(0) };
                let max = if octal_zero { 3 } else { 2 };
                let mut n = 0;
                while n < max && i + 1 < c.len() && c[i + 1].is_digit(8) {
                    i += 1;
                    v = v * 8 + c[i].to_digit(8).unwrap_or(0);
                    n += 1;
                }
                o.push(char::from_u32(v & 0xff).unwrap_or('?'));
            }
            other => {
                o.push('\\');
                o.push(other);
            }
        }
        i += 1;
    }
    (o, false)
}

/// `printf FORMAT ARGS…`: the output and whether an argument was not a valid number (busybox then
/// prints `printf: invalid number 'x'` and exits 1).
pub fn printf(fmt: &str, args: &[String]) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut errs = Vec::new();
    let mut ai = 0;
    let fc: Vec<char> = fmt.chars().collect();
    loop {
        let mut i = 0;
        let mut consumed = false;
        while i < fc.len() {
            let c = fc[i];
            if c == '\\' {
                let mut j = i + 1;
                if j < fc.len() && fc[j].is_digit(8) {
                    while j < fc.len() && j < i + 4 && fc[j].is_digit(8) {
                        j += 1;
                    }
                } else {
                    j = (i + 2).min(fc.len());
                }
                let esc: String = fc[i..j].iter().collect();
                let (t, stop) = unescape(&esc, false);
                out.push_str(&t);
                if stop {
                    return (out, errs);
                }
                i = j;
                continue;
            }
            if c != '%' {
                out.push(c);
                i += 1;
                continue;
            }
            if fc.get(i + 1) == Some(&'%') {
                out.push('%');
                i += 2;
                continue;
            }
            let mut j = i + 1;
            let mut flags = String::new();
            while j < fc.len() && "-+ #0".contains(fc[j]) {
                flags.push(fc[j]);
                j += 1;
            }
            let mut width = String::new();
            while j < fc.len() && fc[j].is_ascii_digit() {
                width.push(fc[j]);
                j += 1;
            }
            let mut prec: Option<usize> = None;
            if fc.get(j) == Some(&'.') {
                j += 1;
                let mut p = String::new();
                while j < fc.len() && fc[j].is_ascii_digit() {
                    p.push(fc[j]);
                    j += 1;
                }
                prec = Some(p.parse().unwrap_or(0));
            }
            while j < fc.len() && "hlLqjzt".contains(fc[j]) {
                j += 1;
            }
            let conv = match fc.get(j) {
                Some(c) => *c,
                None => {
                    out.extend(fc[i..].iter());
                    break;
                }
            };
            let arg = args.get(ai).cloned();
            if arg.is_some() {
                consumed = true;
            }
            ai += 1;
            let arg = arg.unwrap_or_default();
            let w: usize = width.parse().unwrap_or(0).min(4096);
            let left = flags.contains('-');
            let zero = flags.contains('0') && !left;
            let body = match conv {
                's' => match prec {
                    Some(p) => arg.chars().take(p).collect(),
                    None => arg,
                },
                'b' => unescape(&arg, true).0,
                'c' => arg.chars().next().map(|c| c.to_string()).unwrap_or_default(),
                'd' | 'i' | 'u' | 'x' | 'X' | 'o' => {
                    let v = if arg.is_empty() {
                        0
                    } else if let Some(ch) = arg.strip_prefix('\'').or_else(|| arg.strip_prefix('"')) {
                        ch.chars().next().map(|c| c as i64).unwrap_or(0)
                    } else {
                        match super::expand::parse_int(&arg) {
                            Some(v) => v,
                            None => {
                                errs.push(format!("invalid number '{arg}'"));
                                0
                            }
                        }
                    };
                    let mut s = match conv {
                        'x' => format!("{:x}", v),
                        'X' => format!("{:X}", v),
                        'o' => format!("{:o}", v),
                        'u' => format!("{}", v as u64),
                        _ => {
                            if flags.contains('+') && v >= 0 {
                                format!("+{v}")
                            } else {
                                v.to_string()
                            }
                        }
                    };
                    if let Some(p) = prec {
                        while s.trim_start_matches('-').len() < p.min(4096) {
                            s.insert(usize::from(s.starts_with('-')), '0');
                        }
                    }
                    s
                }
                'f' | 'e' | 'g' | 'F' | 'E' | 'G' => {
                    let v: f64 = if arg.is_empty() {
                        0.0
                    } else {
                        match arg.trim().parse() {
                            Ok(v) => v,
                            Err(_) => {
                                errs.push(format!("invalid number '{arg}'"));
                                0.0
                            }
                        }
                    };
                    let p = prec.unwrap_or(6).min(64);
                    match conv {
                        'e' | 'E' => format!("{:.*e}", p, v),
                        'g' | 'G' => format!("{}", v),
                        _ => format!("{:.*}", p, v),
                    }
                }
                _ => {
                    out.extend(fc[i..=j].iter());
                    i = j + 1;
                    continue;
                }
            };
            let n = body.chars().count();
            if n < w {
                let pad = w - n;
                if left {
                    out.push_str(&body);
                    out.extend(std::iter::repeat_n(' ', pad));
                } else if zero && !matches!(conv, 's' | 'c' | 'b') {
                    let (sign, digits) = if body.starts_with('-') || body.starts_with('+') {
                        body.split_at(1)
                    } else {
                        ("", body.as_str())
                    };
                    out.push_str(sign);
                    out.extend(std::iter::repeat_n('0', pad));
                    out.push_str(digits);
                } else {
                    out.extend(std::iter::repeat_n(' ', pad));
                    out.push_str(&body);
                }
            } else {
                out.push_str(&body);
            }
            i = j + 1;
        }
        if !consumed || ai >= args.len() {
            break;
        }
    }
    (out, errs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        for (p, s, want) in [
            ("*", "abc", true),
            ("a*c", "abbbc", true),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("[ab]*", "bx", true),
            ("[!ab]*", "bx", false),
            ("*.txt", "x.txt", true),
            ("*.txt", "x.txtx", false),
            ("\\*", "*", true),
            ("\\*", "a", false),
            ("[a-c]", "b", true),
            ("[", "[", true),
        ] {
            assert_eq!(fnmatch(p, s), want, "{p} {s}");
        }
    }

    #[test]
    fn regexes() {
        for (p, ere, s, want) in [
            ("hello", false, "say hello there", true),
            ("^say", false, "say hello", true),
            ("^hello", false, "say hello", false),
            ("o$", false, "hello", true),
            ("h.llo", false, "hallo", true),
            ("a*b", false, "aaab", true),
            ("[0-9][0-9]*", false, "x42", true),
            ("[0-9]+", true, "x42", true),
            ("[0-9]\\+", false, "x42", true),
            ("cat|dog", true, "hotdog", true),
            ("cat\\|dog", false, "hotdog", true),
            ("(ab)+c", true, "ababc", true),
            ("\\(ab\\)*c", false, "xc", true),
            ("colou?r", true, "color", true),
            ("[^a-z]", false, "abc", false),
        ] {
            assert_eq!(Regex::new(p, ere, false).unwrap().is_match(s), want, "{p} {s}");
        }
        assert!(Regex::new("HELLO", false, true).unwrap().is_match("hello"));
    }

    #[test]
    fn dates() {
        assert_eq!(strftime("%a %b %e %H:%M:%S %Z %Y", 5_000), "Wed Aug 27 00:00:05 UTC 2025");
        assert_eq!(strftime("%Y-%m-%d %H:%M:%S %s", 86_400_000 * 7 + 3_661_000), "2025-09-03 01:01:01 1756861261");
        assert_eq!(strftime("%e|%j|%A|%B", 86_400_000 * 7), " 3|246|Wednesday|September");
    }

    #[test]
    fn printf_formats() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(printf("%s=%d\\n", &a(&["x", "5"])).0, "x=5\n");
        assert_eq!(printf("%5s|%-5s|%05d\\n", &a(&["a", "b", "42"])).0, "    a|b    |00042\n");
        assert_eq!(printf("%s\\n", &a(&["a", "b"])).0, "a\nb\n");
        assert_eq!(printf("%x %o %.2f", &a(&["255", "8", "3.14159"])).0, "ff 10 3.14");
        assert_eq!(printf("%d", &a(&["x"])).1, vec!["invalid number 'x'".to_string()]);
        assert_eq!(unescape("a\\tb\\0101\\c rest", true), ("a\tbA".to_string(), true));
    }
}
