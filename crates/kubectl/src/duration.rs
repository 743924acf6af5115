//! kubectl's human-readable durations (apimachinery `util/duration.HumanDuration`), used for AGE,
//! LAST SEEN and RESTARTS `(5s ago)`.

/// Formats a duration given in milliseconds the way `HumanDuration` does.
///
/// ```
/// use kubectl::duration::human;
/// assert_eq!(human(45_000), "45s");
/// assert_eq!(human(187_000), "3m7s");
/// assert_eq!(human(4 * 3600_000 + 12 * 60_000), "4h12m");
/// ```
pub fn human(ms: u64) -> String {
    let mut out = String::new();
    write_human(&mut out, ms);
    out
}

/// [`human`], appended to `out` (table printers write every cell into one buffer).
pub fn write_human(out: &mut String, ms: u64) {
    let seconds = ms / 1000;
    let minutes = seconds / 60;
    let hours = minutes / 60;
    let days = hours / 24;
    let years = days / 365;
    // A number and its unit, then a second one unless it is zero.
    let (major, unit, minor, minor_unit) = if seconds < 120 {
        (seconds, 's', 0, 's')
    } else if minutes < 10 {
        (minutes, 'm', seconds % 60, 's')
    } else if minutes < 180 {
        (minutes, 'm', 0, 's')
    } else if hours < 8 {
        (hours, 'h', minutes % 60, 'm')
    } else if hours < 48 {
        (hours, 'h', 0, 'm')
    } else if hours < 24 * 8 {
        (days, 'd', hours % 24, 'h')
    } else if hours < 24 * 365 * 2 {
        (days, 'd', 0, 'h')
    } else if hours < 24 * 365 * 8 {
        (years, 'y', days % 365, 'd')
    } else {
        (years, 'y', 0, 'd')
    };
    push_u64(out, major);
    out.push(unit);
    if minor != 0 {
        push_u64(out, minor);
        out.push(minor_unit);
    }
}

/// Appends the decimal digits of `n` (what `write!` does, without the formatting machinery).
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[i..].iter().map(|&d| char::from(d)));
}

/// [`push_u64`] for signed numbers.
pub fn push_i64(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_u64(out, n.unsigned_abs());
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn every_band_of_human_duration() {
        let s = 1000;
        let m = 60 * s;
        let h = 60 * m;
        let d = 24 * h;
        let table = [
            (0, "0s"),
            (999, "0s"),
            (45 * s, "45s"),
            (119 * s, "119s"),
            (2 * m, "2m"),
            (3 * m + 7 * s, "3m7s"),
            (9 * m + 59 * s, "9m59s"),
            (10 * m + 30 * s, "10m"),
            (179 * m, "179m"),
            (3 * h, "3h"),
            (4 * h + 12 * m, "4h12m"),
            (26 * h, "26h"),
            (3 * d + 4 * h, "3d4h"),
            (7 * d, "7d"),
            (200 * d, "200d"),
            (3 * 365 * d + 5 * d, "3y5d"),
            (9 * 365 * d, "9y"),
        ];
        for (ms, want) in table {
            assert_eq!(human(ms), want, "{ms} ms");
        }
    }

    #[test]
    fn integers_as_write_prints_them() {
        for n in [0, 7, 10, 99, 1234567890, i64::MAX, -1, -45, i64::MIN] {
            let mut out = String::from("x");
            super::push_i64(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
        let mut out = String::new();
        super::push_u64(&mut out, u64::MAX);
        assert_eq!(out, u64::MAX.to_string());
    }
}
