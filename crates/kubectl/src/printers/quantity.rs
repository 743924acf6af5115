//! Resource quantities as apimachinery's `Quantity.String()` prints them. The apiserver parses every
//! quantity it stores and prints the canonical form, so a claim asking for `1024Mi` shows `1Gi`, `0.5Gi`
//! shows `512Mi` and `1500M` stays `1500M` (canonical mantissas are integers, exponents multiples of 3).

/// How the amount was written, which decides how it is printed back (apimachinery `Format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    BinarySI,
    DecimalSI,
    DecimalExponent,
}

/// The canonical text of a quantity, or the text as given when it does not parse (or is too large for
/// this implementation), so a printer never fails on it.
pub(super) fn canonical(text: &str) -> String {
    parse(text.trim()).and_then(|(m, e, f)| format(m, e, f)).unwrap_or_else(|| text.to_string())
}

/// `ParseQuantity` into `mantissa * 10^exp10`, with values finer than 10^-9 rounded up (away from zero)
/// to 10^-9 as apimachinery does.
fn parse(s: &str) -> Option<(i128, i32, Format)> {
    let (negative, rest) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let number_len = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
    let (number, suffix) = rest.split_at(number_len);
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    if int_part.is_empty() && frac_part.is_empty() || frac_part.contains('.') {
        return None;
    }
    let digits = format!("{int_part}{frac_part}");
    let mut mantissa: i128 = digits.parse().ok()?;
    if negative {
        mantissa = -mantissa;
    }
    let mut exp10 = -i32::try_from(frac_part.len()).ok()?;
    let format = match suffix {
        "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => {
            let power = 10 * (1 + "KMGTPE".find(&suffix[..1])? as u32);
            mantissa = mantissa.checked_mul(1i128.checked_shl(power)?)?;
            Format::BinarySI
        }
        "n" | "u" | "m" | "" | "k" | "M" | "G" | "T" | "P" | "E" => {
            exp10 += match suffix {
                "n" => -9,
                "u" => -6,
                "m" => -3,
                "" => 0,
                "k" => 3,
                "M" => 6,
                "G" => 9,
                "T" => 12,
                "P" => 15,
                _ => 18,
            };
            Format::DecimalSI
        }
        _ if suffix.len() > 1 && (suffix.starts_with('e') || suffix.starts_with('E')) => {
            exp10 = exp10.checked_add(suffix[1..].parse::<i32>().ok()?)?;
            Format::DecimalExponent
        }
        _ => return None,
    };
    if exp10 < -9 {
        let divisor = 10i128.checked_pow(u32::try_from(-9 - exp10).ok()?)?;
        let (q, r) = (mantissa / divisor, mantissa % divisor);
        mantissa = q + r.signum();
        exp10 = -9;
    }
    Some((mantissa, exp10, format))
}

/// `CanonicalizeBytes`: binary amounts below 1024 or with a fraction print as decimal SI; binary ones as
/// the largest power of 1024 dividing them; decimal ones with trailing zeros folded into an exponent that
/// is a multiple of 3.
fn format(mantissa: i128, exp10: i32, format: Format) -> Option<String> {
    if mantissa == 0 {
        return Some("0".to_string());
    }
    let mut format = format;
    if format == Format::BinarySI {
        let whole = integer_value(mantissa, exp10);
        match whole {
            Some(v) if v.abs() >= 1024 => return binary(v),
            _ => format = Format::DecimalSI,
        }
    }
    let (mut m, mut e) = (mantissa, exp10);
    while m % 10 == 0 {
        m /= 10;
        e = e.checked_add(1)?;
    }
    let shift = e.rem_euclid(3);
    m = m.checked_mul(10i128.pow(shift.unsigned_abs()))?;
    e -= shift;
    let suffix = match (format, e) {
        (Format::DecimalExponent, 0) => String::new(),
        (Format::DecimalExponent, e) => format!("e{e}"),
        (_, -9) => "n".into(),
        (_, -6) => "u".into(),
        (_, -3) => "m".into(),
        (_, 0) => String::new(),
        (_, 3) => "k".into(),
        (_, 6) => "M".into(),
        (_, 9) => "G".into(),
        (_, 12) => "T".into(),
        (_, 15) => "P".into(),
        (_, 18) => "E".into(),
        _ => return None,
    };
    Some(format!("{m}{suffix}"))
}

/// The amount as a whole number, if it is one.
fn integer_value(mantissa: i128, exp10: i32) -> Option<i128> {
    if exp10 >= 0 {
        mantissa.checked_mul(10i128.checked_pow(exp10.unsigned_abs())?)
    } else {
        let divisor = 10i128.checked_pow(exp10.unsigned_abs())?;
        (mantissa % divisor == 0).then(|| mantissa / divisor)
    }
}

fn binary(value: i128) -> Option<String> {
    let mut v = value;
    let mut power = 0;
    while v % 1024 == 0 {
        v /= 1024;
        power += 1;
    }
    let suffix = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"].get(power)?;
    Some(format!("{v}{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn canonical_forms() {
        let cases = [
            ("1Gi", "1Gi"),
            ("10Gi", "10Gi"),
            ("1024Mi", "1Gi"),
            ("1536Mi", "1536Mi"),
            ("0.5Gi", "512Mi"),
            ("1.5Gi", "1536Mi"),
            ("512", "512"),
            ("100Ki", "100Ki"),
            ("1023Ki", "1023Ki"),
            ("0.5Ki", "512"),
            ("1000Mi", "1000Mi"),
            ("1500M", "1500M"),
            ("1000M", "1G"),
            ("1000m", "1"),
            ("0.5", "500m"),
            ("100m", "100m"),
            ("1e3", "1e3"),
            ("1e4", "10e3"),
            ("1.5e3", "1500"),
            ("0", "0"),
            ("0Gi", "0"),
            ("-1Gi", "-1Gi"),
            ("0.0000000001", "1n"),
            ("1.2Ki", "1228800m"),
        ];
        for (input, want) in cases {
            assert_eq!(canonical(input), want, "{input}");
        }
    }

    #[test]
    fn unparseable_text_is_kept() {
        for input in ["", "abc", "1Xi", "1..2", "Gi", "1e", "99999999999999999999999999999999999999999Ei"] {
            assert_eq!(canonical(input), input);
        }
    }
}
