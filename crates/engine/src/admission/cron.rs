//! CronJob schedules as robfig/cron v3 (vendored by Kubernetes) reads and runs them: `cron.ParseStandard`
//! with its error texts (which CronJob validation puts into `spec.schedule: Invalid value: ...`), the parsed
//! [`Schedule`] (`SpecSchedule` bit sets or `ConstantDelaySchedule`) and its `Next` in a time zone with daylight
//! saving time (`admission::tz`). Validation and the CronJob controller share this one parser.

use super::tz::Zone;
use crate::runtime::shell::text::{civil_from_days, days_from_civil};

struct Bounds {
    min: u32,
    max: u32,
    names: &'static [(&'static str, u32)],
}

const MINUTES: Bounds = Bounds { min: 0, max: 59, names: &[] };
const HOURS: Bounds = Bounds { min: 0, max: 23, names: &[] };
const DOM: Bounds = Bounds { min: 1, max: 31, names: &[] };
const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ],
};
const DOW: Bounds = Bounds {
    min: 0,
    max: 6,
    names: &[("sun", 0), ("mon", 1), ("tue", 2), ("wed", 3), ("thu", 4), ("fri", 5), ("sat", 6)],
};

/// `strconv.Atoi` plus robfig's `mustParseInt` checks, with Go's error wording.
fn parse_int(expr: &str) -> Result<u32, String> {
    let digits = expr.strip_prefix('+').or_else(|| expr.strip_prefix('-')).unwrap_or(expr);
    let syntax_ok = !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit());
    if !syntax_ok {
        return Err(format!("failed to parse int from {expr}: strconv.Atoi: parsing \"{expr}\": invalid syntax"));
    }
    let value: i64 = match expr.parse::<i64>() {
        Ok(v) => v,
        Err(_) => {
            return Err(format!(
                "failed to parse int from {expr}: strconv.Atoi: parsing \"{expr}\": value out of range"
            ))
        }
    };
    if value < 0 {
        return Err(format!("negative number ({value}) not allowed: {expr}"));
    }
    u32::try_from(value).map_err(|_| format!("end of range ({value}) above maximum: {expr}"))
}

fn parse_int_or_name(expr: &str, bounds: &Bounds) -> Result<u32, String> {
    let lower = expr.to_lowercase();
    if let Some((_, v)) = bounds.names.iter().find(|(n, _)| *n == lower) {
        return Ok(*v);
    }
    parse_int(expr)
}

/// The bit robfig sets when a field was `*` or `?` (it decides how day-of-month and day-of-week combine).
const STAR_BIT: u64 = 1 << 63;

/// `getRange`: `*`, `?`, `N`, `N-M`, optionally followed by `/step`; the bits of the values it allows.
fn check_range(expr: &str, bounds: &Bounds) -> Result<u64, String> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_and_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single = low_and_high.len() == 1;
    let mut extra = 0;
    let (start, mut end) = if low_and_high[0] == "*" || low_and_high[0] == "?" {
        extra = STAR_BIT;
        (bounds.min, bounds.max)
    } else {
        let start = parse_int_or_name(low_and_high[0], bounds)?;
        let end = match low_and_high.len() {
            1 => start,
            2 => parse_int_or_name(low_and_high[1], bounds)?,
            _ => return Err(format!("too many hyphens: {expr}")),
        };
        (start, end)
    };
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = parse_int(range_and_step[1])?;
            if single {
                end = bounds.max;
            }
            if step > 1 {
                extra = 0;
            }
            step
        }
        _ => return Err(format!("too many slashes: {expr}")),
    };
    if start < bounds.min {
        return Err(format!("beginning of range ({start}) below minimum ({}): {expr}", bounds.min));
    }
    if end > bounds.max {
        return Err(format!("end of range ({end}) above maximum ({}): {expr}", bounds.max));
    }
    if start > end {
        return Err(format!("beginning of range ({start}) beyond end of range ({end}): {expr}"));
    }
    if step == 0 {
        return Err(format!("step of range should be a positive number: {expr}"));
    }
    Ok((start..=end).step_by(step as usize).fold(extra, |bits, v| bits | 1 << v))
}

/// Go's `time.ParseDuration` for `@every <duration>`, in nanoseconds.
fn parse_duration(s: &str) -> Result<i128, String> {
    let invalid = || format!("time: invalid duration {}", super::gotext::go_quote(s));
    let negative = s.starts_with('-');
    let mut rest = s.strip_prefix('-').or_else(|| s.strip_prefix('+')).unwrap_or(s);
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let num_len = rest.bytes().take_while(|c| c.is_ascii_digit() || *c == b'.').count();
        let num = &rest[..num_len];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return Err(invalid());
        }
        rest = &rest[num_len..];
        let unit_len = rest.bytes().take_while(|c| !(c.is_ascii_digit() || *c == b'.')).count();
        let unit = &rest[..unit_len];
        if unit.is_empty() {
            return Err(format!("time: missing unit in duration {}", super::gotext::go_quote(s)));
        }
        let scale: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    super::gotext::go_quote(unit),
                    super::gotext::go_quote(s)
                ))
            }
        };
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        let int: i128 = if int.is_empty() { 0 } else { int.parse().map_err(|_| invalid())? };
        let mut part = int * scale;
        let mut div: i128 = 1;
        for digit in frac.bytes().take(18) {
            div *= 10;
            part += i128::from(digit - b'0') * scale / div;
        }
        total += part;
        rest = &rest[unit_len..];
    }
    Ok(if negative { -total } else { total })
}

/// A parsed schedule: robfig's `SpecSchedule` (one bit set per field; seconds are always 0 in the standard
/// five-field form) or `ConstantDelaySchedule` (`@every`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    Spec {
        minute: u64,
        hour: u64,
        dom: u64,
        month: u64,
        dow: u64,
    },
    /// `@every D`: D rounded down to whole seconds, at least one second.
    Every {
        seconds: i64,
    },
}

/// What `cron.ParseStandard` returns: the schedule and the `TZ=`/`CRON_TZ=` location it named, if any (left
/// unresolved here; see `admission::tz::load_location`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub schedule: Schedule,
    pub tz: Option<String>,
}

/// `all(r)`: every value of the field, marked as a star.
fn all(b: &Bounds) -> u64 {
    (b.min..=b.max).fold(STAR_BIT, |bits, v| bits | 1 << v)
}

/// `parseDescriptor` for the fixed macros.
fn descriptor(name: &str) -> Option<Schedule> {
    let (minute, hour) = (1, 1);
    Some(match name {
        "yearly" | "annually" => Schedule::Spec { minute, hour, dom: 1 << 1, month: 1 << 1, dow: all(&DOW) },
        "monthly" => Schedule::Spec { minute, hour, dom: 1 << 1, month: all(&MONTHS), dow: all(&DOW) },
        "weekly" => Schedule::Spec { minute, hour, dom: all(&DOM), month: all(&MONTHS), dow: 1 },
        "daily" | "midnight" => Schedule::Spec { minute, hour, dom: all(&DOM), month: all(&MONTHS), dow: all(&DOW) },
        "hourly" => Schedule::Spec { minute, hour: all(&HOURS), dom: all(&DOM), month: all(&MONTHS), dow: all(&DOW) },
        _ => return None,
    })
}

/// `cron.ParseStandard(spec)`: `Err` carries the exact error text.
pub fn parse_standard(spec: &str) -> Result<Parsed, String> {
    if spec.is_empty() {
        return Err("empty spec string".to_string());
    }
    let mut spec = spec;
    let mut tz = None;
    if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
        // The location itself is checked by CronJob validation (TZ in a schedule is refused there) and resolved
        // by the controller; here it is only split off.
        match spec.find(' ') {
            Some(i) => {
                tz = Some(spec[spec.find('=').map_or(0, |e| e + 1)..i].to_string());
                spec = spec[i..].trim();
            }
            None => {
                return Err(format!(
                    "provided bad location {}: unknown time zone",
                    &spec[spec.find('=').map_or(0, |e| e + 1)..]
                ))
            }
        }
    }
    if let Some(d) = spec.strip_prefix('@') {
        if let Some(schedule) = descriptor(d) {
            return Ok(Parsed { schedule, tz });
        }
        return match d.strip_prefix("every ") {
            Some(duration) => {
                let nanos = parse_duration(duration).map_err(|e| format!("failed to parse duration {spec}: {e}"))?;
                // `Every`: under a second becomes a second; the rest is truncated to whole seconds.
                let seconds = (nanos / 1_000_000_000).max(1) as i64;
                Ok(Parsed { schedule: Schedule::Every { seconds }, tz })
            }
            None => Err(format!("unrecognized descriptor: {spec}")),
        };
    }
    let fields: Vec<&str> = spec.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!("expected exactly 5 fields, found {}: [{}]", fields.len(), fields.join(" ")));
    }
    let mut bits = [0u64; 5];
    for ((field, bounds), out) in fields.iter().zip([&MINUTES, &HOURS, &DOM, &MONTHS, &DOW]).zip(bits.iter_mut()) {
        for expr in field.split(',').filter(|e| !e.is_empty()) {
            *out |= check_range(expr, bounds)?;
        }
    }
    let [minute, hour, dom, month, dow] = bits;
    Ok(Parsed { schedule: Schedule::Spec { minute, hour, dom, month, dow }, tz })
}

impl Schedule {
    /// `Schedule.Next(t)`: the first activation strictly after `t` (Unix seconds; sub-second parts are the
    /// caller's to drop, as robfig drops nanoseconds), reading the fields in a zone `offset` seconds east of
    /// UTC. `None` where robfig returns the zero time: nothing matches within five years (`30 0 31 2 *`).
    ///
    /// Worked examples (UTC; 2025-08-27T00:00:00Z is Unix 1756252800, a Wednesday):
    /// `*/5 * * * *` after 00:00:00 → 00:05:00; after 00:07:30 → 00:10:00. `@hourly` after 00:00:00 → 01:00:00.
    /// `0 9 * * 1` (Mondays 9:00) → 2025-09-01T09:00:00Z. `@every 90s` after t → t + 90.
    /// `0 0 13 * 5` fires on the 13th *or* a Friday (both fields restricted), `0 0 13 * *` on the 13th only.
    pub fn next(&self, t: i64, offset: i64) -> Option<i64> {
        self.next_in(t, &Zone::fixed(offset))
    }

    /// `SpecSchedule.Next` in a zone with daylight saving time, step for step as robfig/cron v3 walks Go's
    /// `time.Time` in the location: months and days move by `AddDate` (wall clock, normalised by `time.Date`),
    /// hours, minutes and seconds by adding real durations. So on a spring-forward day a time in the skipped hour
    /// does not fire (`30 2 * * *` in America/New_York skips 2026-03-08), and on a fall-back day a time in the
    /// repeated hour fires twice (`30 1 * * *` on 2026-11-01 at 05:30Z and 06:30Z), as on a real cluster.
    pub fn next_in(&self, t: i64, zone: &Zone) -> Option<i64> {
        let (minute, hour, dom, month, dow) = match *self {
            Schedule::Every { seconds } => return Some(t + seconds),
            Schedule::Spec { minute, hour, dom, month, dow } => (minute, hour, dom, month, dow),
        };
        // Local wall-clock fields of an instant.
        let fields = |t: i64| {
            let local = t + zone.offset_at(t);
            let (y, mo, d) = civil_from_days(local.div_euclid(86_400));
            let s = local.rem_euclid(86_400);
            (y, mo, d, (s / 3600) as u32, ((s % 3600) / 60) as u32, (s % 60) as u32)
        };
        // `time.Date` in the zone, normalising months and days.
        let date = |y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64| {
            let (y, mo) = (y + (mo - 1).div_euclid(12), (mo - 1).rem_euclid(12) + 1);
            let local = (days_from_civil(y, mo as u32, 1) + d - 1) * 86_400 + h * 3600 + mi * 60 + s;
            local - zone.offset_at(local - zone.offset_at(local))
        };
        let day_matches = |t: i64| {
            let (y, mo, d, ..) = fields(t);
            let weekday = (days_from_civil(y, mo, d) + 4).rem_euclid(7) as u32;
            let (dom_ok, dow_ok) = (dom & 1 << d != 0, dow & 1 << weekday != 0);
            if dom & STAR_BIT != 0 || dow & STAR_BIT != 0 {
                dom_ok && dow_ok
            } else {
                dom_ok || dow_ok
            }
        };
        let mut t = t + 1;
        let mut added = false;
        let year_limit = fields(t).0 + 5;
        'wrap: loop {
            let (y, ..) = fields(t);
            if y > year_limit {
                return None;
            }
            while month & 1 << fields(t).1 == 0 {
                if !added {
                    added = true;
                    let (y, mo, ..) = fields(t);
                    t = date(y, i64::from(mo), 1, 0, 0, 0);
                }
                let (y, mo, d, h, mi, s) = fields(t);
                t = date(y, i64::from(mo) + 1, i64::from(d), i64::from(h), i64::from(mi), i64::from(s));
                if fields(t).1 == 1 {
                    continue 'wrap;
                }
            }
            while !day_matches(t) {
                if !added {
                    added = true;
                    let (y, mo, d, ..) = fields(t);
                    t = date(y, i64::from(mo), i64::from(d), 0, 0, 0);
                }
                let (y, mo, d, h, mi, s) = fields(t);
                t = date(y, i64::from(mo), i64::from(d) + 1, i64::from(h), i64::from(mi), i64::from(s));
                // Midnight may have moved with daylight saving time.
                let h = i64::from(fields(t).3);
                if h != 0 {
                    t += if h > 12 { (24 - h) * 3600 } else { -h * 3600 };
                }
                if fields(t).2 == 1 {
                    continue 'wrap;
                }
            }
            while hour & 1 << fields(t).3 == 0 {
                if !added {
                    added = true;
                    let (y, mo, d, h, ..) = fields(t);
                    t = date(y, i64::from(mo), i64::from(d), i64::from(h), 0, 0);
                }
                t += 3600;
                if fields(t).3 == 0 {
                    continue 'wrap;
                }
            }
            while minute & 1 << fields(t).4 == 0 {
                if !added {
                    added = true;
                    t -= t.rem_euclid(60);
                }
                t += 60;
                if fields(t).4 == 0 {
                    continue 'wrap;
                }
            }
            // The standard parser's seconds field allows only 0.
            while fields(t).5 != 0 {
                added = true;
                t += 1;
                if fields(t).5 == 0 {
                    continue 'wrap;
                }
            }
            return Some(t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        let ok = ["*/1 * * * *", "0 0 * * *", "@hourly", "@every 1h30m", "0 9 * * mon-fri", "15 */3 1,15 jan-jun ?"];
        for s in ok {
            assert!(parse_standard(s).is_ok(), "{s}");
        }
        let bad = [
            ("x", "expected exactly 5 fields, found 1: [x]"),
            ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
            ("60 * * * *", "end of range (60) above maximum (59): 60"),
            ("* * 0 * *", "beginning of range (0) below minimum (1): 0"),
            ("* * * * 7", "end of range (7) above maximum (6): 7"),
            ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
            ("a * * * *", "failed to parse int from a: strconv.Atoi: parsing \"a\": invalid syntax"),
            ("*/0 * * * *", "step of range should be a positive number: */0"),
            ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
            ("*/2/3 * * * *", "too many slashes: */2/3"),
            ("@fortnightly", "unrecognized descriptor: @fortnightly"),
            ("@every x", "failed to parse duration @every x: time: invalid duration \"x\""),
            ("", "empty spec string"),
        ];
        for (s, want) in bad {
            assert_eq!(parse_standard(s), Err(want.to_string()), "{s}");
        }
    }

    /// 2025-08-27T00:00:00Z, a Wednesday: simulated time 0.
    const T0: i64 = 1_756_252_800;

    fn next_after(spec: &str, t: i64, offset: i64) -> Option<i64> {
        parse_standard(spec).unwrap().schedule.next(t, offset)
    }

    #[test]
    fn next_activation_times() {
        let h = 3600;
        let day = 86_400;
        let cases: &[(&str, i64, i64)] = &[
            ("*/1 * * * *", 0, 60),
            ("*/1 * * * *", 59, 60),
            ("*/1 * * * *", 60, 120),
            ("*/5 * * * *", 0, 300),
            ("*/5 * * * *", 450, 600),
            ("7 * * * *", 0, 7 * 60),
            ("7 * * * *", 7 * 60, h + 7 * 60),
            ("@hourly", 0, h),
            ("@daily", 0, day),
            ("@midnight", 10, day),
            // Mondays at 9: the next Monday is 2025-09-01, five days on.
            ("0 9 * * 1", 0, 5 * day + 9 * h),
            ("@weekly", 0, 4 * day),
            // The 1st of the next month; the next January.
            ("@monthly", 0, 5 * day),
            ("@yearly", 0, (31 - 26 + 30 + 31 + 30 + 31) * day),
            // Both day fields restricted: the 13th OR a Friday (2025-08-29 comes first).
            ("0 0 13 * 5", 0, 2 * day),
            // Day of month alone (a starred day of week): only the 13th (2025-09-13).
            ("0 0 13 * *", 0, 17 * day),
            ("30 6-16/4 * * 1-5", 0, 6 * h + 30 * 60),
            ("@every 90s", 0, 90),
            ("@every 500ms", 0, 1),
            ("@every 1m30.9s", 7, 97),
        ];
        for (spec, after, want) in cases {
            assert_eq!(next_after(spec, T0 + after, 0), Some(T0 + want), "{spec} after +{after}s");
        }
        // 31 February never comes.
        assert_eq!(next_after("0 0 31 2 *", T0, 0), None);
        // In a zone two hours east, "0 9 * * *" is 07:00 UTC.
        assert_eq!(next_after("0 9 * * *", T0, 7200), Some(T0 + 7 * h));
        // Five hours west (Etc/GMT+5): 9:00 local is 14:00 UTC.
        assert_eq!(next_after("0 9 * * *", T0, -5 * h), Some(T0 + 14 * h));
    }

    #[test]
    fn fixed_zones() {
        let at = |name: &str| super::super::tz::load_location(name).map(|z| z.offset_at(1_756_252_800));
        assert_eq!(at(""), Ok(0));
        assert_eq!(at("Etc/UTC"), Ok(0));
        assert_eq!(at("Etc/GMT-2"), Ok(7200));
        assert_eq!(at("Etc/GMT+5"), Ok(-18_000));
        assert_eq!(at("Etc/GMT+13"), Err("unknown time zone Etc/GMT+13".into()));
        assert_eq!(at("Etc/GMT-14"), Ok(14 * 3600));
        assert_eq!(at("Europe/Paris"), Ok(7200));
    }

    /// robfig's walk through daylight saving changes (America/New_York: 2026-03-08 02:00 EST → 03:00 EDT,
    /// 2026-11-01 02:00 EDT → 01:00 EST; Europe/Paris: 2026-03-29 02:00 CET → 03:00 CEST).
    #[test]
    fn schedules_across_dst_changes() {
        let ny = super::super::tz::load_location("America/New_York").unwrap();
        let paris = super::super::tz::load_location("Europe/Paris").unwrap();
        let next = |spec: &str, t: i64, z: &Zone| parse_standard(spec).unwrap().schedule.next_in(t, z);
        // 2026-03-07T12:00:00Z.
        let before_spring = 1_772_884_800;
        // 09:00 local: 14:00Z in EST, 13:00Z in EDT.
        assert_eq!(next("0 9 * * *", before_spring, &ny), Some(1_772_892_000)); // 2026-03-07T14:00Z
        assert_eq!(next("0 9 * * *", 1_772_892_000, &ny), Some(1_772_974_800)); // 2026-03-08T13:00Z
                                                                                // 02:30 does not exist on 2026-03-08: the next 02:30 is on the 9th (06:30Z, EDT).
        assert_eq!(next("30 2 * * *", before_spring, &ny), Some(1_773_037_800));
        // 01:30 happens twice on 2026-11-01: 05:30Z (EDT), then 06:30Z (EST).
        let oct31 = 1_793_448_000; // 2026-10-31T12:00:00Z
        assert_eq!(next("30 1 * * *", oct31, &ny), Some(1_793_511_000));
        assert_eq!(next("30 1 * * *", 1_793_511_000, &ny), Some(1_793_514_600));
        assert_eq!(next("30 1 * * *", 1_793_514_600, &ny), Some(1_793_601_000)); // 11-02T06:30Z
                                                                                 // Hourly across Paris's spring-forward: 00:00Z (01:00 CET), then 01:00Z (03:00 CEST).
        assert_eq!(next("0 * * * *", 1_774_742_400 - 60, &paris), Some(1_774_742_400));
        assert_eq!(next("0 * * * *", 1_774_742_400, &paris), Some(1_774_746_000));
        // A fixed zone gives what the UTC walk gives, shifted.
        assert_eq!(next("0 9 * * *", 1_756_252_800, &Zone::fixed(7200)), Some(1_756_278_000));
    }

    #[test]
    fn tz_prefix_is_split_off() {
        let p = parse_standard("TZ=Etc/UTC 0 * * * *").unwrap();
        assert_eq!(p.tz.as_deref(), Some("Etc/UTC"));
        assert_eq!(p.schedule, parse_standard("@hourly").unwrap().schedule);
    }
}
