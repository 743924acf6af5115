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
    let seconds = ms / 1000;
    let minutes = seconds / 60;
    let hours = minutes / 60;
    let days = hours / 24;
    if seconds < 120 {
        return format!("{seconds}s");
    }
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 { format!("{minutes}m") } else { format!("{minutes}m{s}s") };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 { format!("{hours}h") } else { format!("{hours}h{m}m") };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 { format!("{days}d") } else { format!("{days}d{h}h") };
    }
    if hours < 24 * 365 * 2 {
        return format!("{days}d");
    }
    let years = days / 365;
    if hours < 24 * 365 * 8 {
        let d = days % 365;
        return if d == 0 { format!("{years}y") } else { format!("{years}y{d}d") };
    }
    format!("{years}y")
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
}
