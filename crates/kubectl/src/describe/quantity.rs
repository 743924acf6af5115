//! Resource quantities as apimachinery's `resource.Quantity` parses, adds and prints them.
//!
//! Describe never echoes the stored string: it prints `Quantity.String()`, the canonical form (`0.5`
//! becomes `500m`, `1024Mi` becomes `1Gi`), and the node describer adds requests up and divides them by
//! allocatable. Values are kept exactly, in units of 10⁻⁹ (Go rounds anything finer up to a nano).

use engine::api::apimachinery::pkg::api::resource::Quantity;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    DecimalExponent,
    BinarySI,
    DecimalSI,
}

/// A parsed quantity. The zero value is Go's `Quantity{}` (prints `0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Qty {
    nano: i128,
    format: Format,
}

impl Default for Qty {
    fn default() -> Self {
        Qty { nano: 0, format: Format::DecimalSI }
    }
}

const NANO: i128 = 1_000_000_000;

impl Qty {
    /// Parses a quantity string as `resource.ParseQuantity` does; `None` if it is not one.
    pub fn parse(s: &str) -> Option<Qty> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        let (negative, rest) = match s.as_bytes()[0] {
            b'-' => (true, &s[1..]),
            b'+' => (false, &s[1..]),
            _ => (false, s),
        };
        let num_end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let num = &rest[..num_end];
        let mut rest = &rest[num_end..];
        let mut denom = "";
        if let Some(after_dot) = rest.strip_prefix('.') {
            let end = after_dot.find(|c: char| !c.is_ascii_digit()).unwrap_or(after_dot.len());
            denom = &after_dot[..end];
            rest = &after_dot[end..];
        }
        let (base2, exponent, format) = interpret_suffix(rest)?;
        let all_digits = format!("{num}{denom}");
        let significant = all_digits.trim_start_matches('0');
        let digits: i128 = if significant.is_empty() { 0 } else { significant.parse().ok()? };
        let frac = denom.len() as i32;
        let magnitude = if base2 {
            let scaled = digits.checked_mul(1i128.checked_shl(exponent as u32)?)?.checked_mul(NANO)?;
            ceil_div(scaled, pow10(frac)?)
        } else {
            let shift = exponent + 9 - frac;
            if shift >= 0 {
                digits.checked_mul(pow10(shift)?)?
            } else {
                ceil_div(digits, pow10(-shift)?)
            }
        };
        // Far beyond any real resource (and beyond Go's int64 fast path); keeping values below 10^36
        // nano-units leaves room for canonicalisation and sums without overflow.
        if magnitude >= 10i128.pow(36) {
            return None;
        }
        // Go: BinarySI values strictly between 0 and 1 are shown as DecimalSI.
        let format =
            if format == Format::BinarySI && magnitude > 0 && magnitude < NANO { Format::DecimalSI } else { format };
        Some(Qty { nano: if negative { -magnitude } else { magnitude }, format })
    }

    /// The quantity of a stored value; a value that does not parse counts as zero.
    pub fn of(q: &Quantity) -> Qty {
        Qty::parse(&q.0).unwrap_or_default()
    }

    pub fn is_zero(&self) -> bool {
        self.nano == 0
    }

    /// `Quantity.Add`: a zero receiver takes the other's format.
    pub fn add(&mut self, other: Qty) {
        if self.nano == 0 {
            self.format = other.format;
        }
        self.nano = self.nano.saturating_add(other.nano).clamp(-(10i128.pow(37)), 10i128.pow(37));
    }

    /// `Value()`: whole units, rounded up.
    pub fn value(&self) -> i128 {
        ceil_div(self.nano, NANO)
    }

    /// `MilliValue()`: thousandths, rounded up.
    pub fn milli_value(&self) -> i128 {
        ceil_div(self.nano, 1_000_000)
    }

    pub fn cmp_value(&self, other: &Qty) -> std::cmp::Ordering {
        self.nano.cmp(&other.nano)
    }
}

impl std::fmt::Display for Qty {
    /// `Quantity.String()`: the canonical form.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.nano == 0 {
            return f.write_str("0");
        }
        let mut format = self.format;
        if format == Format::BinarySI && (self.nano.abs() < 1024 * NANO || self.nano % NANO != 0) {
            // Small values, and values that are not whole numbers, are clearer in decimal.
            format = Format::DecimalSI;
        }
        if format == Format::BinarySI {
            let mut amount = self.nano / NANO;
            let mut exponent = 0;
            while amount % 1024 == 0 && exponent < 60 {
                amount /= 1024;
                exponent += 10;
            }
            let suffix = match exponent {
                0 => "",
                10 => "Ki",
                20 => "Mi",
                30 => "Gi",
                40 => "Ti",
                50 => "Pi",
                _ => "Ei",
            };
            return write!(f, "{amount}{suffix}");
        }
        let mut mantissa = self.nano;
        let mut exponent: i32 = -9;
        while mantissa % 10 == 0 {
            mantissa /= 10;
            exponent += 1;
        }
        match exponent % 3 {
            1 | -2 => {
                mantissa *= 10;
                exponent -= 1;
            }
            2 | -1 => {
                mantissa *= 100;
                exponent -= 2;
            }
            _ => {}
        }
        let suffix = if format == Format::DecimalExponent {
            if exponent == 0 {
                String::new()
            } else {
                format!("e{exponent}")
            }
        } else {
            match exponent {
                -9 => "n",
                -6 => "u",
                -3 => "m",
                3 => "k",
                6 => "M",
                9 => "G",
                12 => "T",
                15 => "P",
                18 => "E",
                _ => "",
            }
            .to_string()
        };
        write!(f, "{mantissa}{suffix}")
    }
}

/// The suffix table of apimachinery's `quantitySuffixer`: (base 2?, exponent, format).
fn interpret_suffix(suffix: &str) -> Option<(bool, i32, Format)> {
    let decimal = |e| Some((false, e, Format::DecimalSI));
    let binary = |e| Some((true, e, Format::BinarySI));
    match suffix {
        "" => decimal(0),
        "n" => decimal(-9),
        "u" => decimal(-6),
        "m" => decimal(-3),
        "k" => decimal(3),
        "M" => decimal(6),
        "G" => decimal(9),
        "T" => decimal(12),
        "P" => decimal(15),
        "E" => decimal(18),
        "Ki" => binary(10),
        "Mi" => binary(20),
        "Gi" => binary(30),
        "Ti" => binary(40),
        "Pi" => binary(50),
        "Ei" => binary(60),
        _ => {
            let exp = suffix.strip_prefix(['e', 'E'])?;
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let e: i32 = exp.parse().ok()?;
            Some((false, e, Format::DecimalExponent))
        }
    }
}

fn pow10(e: i32) -> Option<i128> {
    10i128.checked_pow(u32::try_from(e).ok()?)
}

/// Division rounding away from zero, as Go's `inf.RoundUp` does on magnitudes.
fn ceil_div(a: i128, b: i128) -> i128 {
    let q = a / b;
    if a % b == 0 {
        q
    } else if a > 0 {
        q + 1
    } else {
        q - 1
    }
}

/// The canonical text of a stored quantity (what `quantity.String()` prints); a value that does not
/// parse is shown as stored.
pub fn show(q: &Quantity) -> String {
    match Qty::parse(&q.0) {
        Some(v) => v.to_string(),
        None => q.0.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        Qty::parse(s).map(|q| q.to_string()).unwrap_or_else(|| "<invalid>".into())
    }

    #[test]
    fn canonical_forms() {
        let table = [
            ("0", "0"),
            ("100m", "100m"),
            ("0.5", "500m"),
            ("1000m", "1"),
            ("1.5", "1500m"),
            ("2", "2"),
            ("128Mi", "128Mi"),
            ("1024Mi", "1Gi"),
            ("3996Mi", "3996Mi"),
            ("1536Mi", "1536Mi"),
            ("4Gi", "4Gi"),
            ("20Gi", "20Gi"),
            ("512Ki", "512Ki"),
            ("100", "100"),
            ("1000", "1k"),
            ("1k", "1k"),
            ("1G", "1G"),
            ("1e3", "1e3"),
            ("1.5Gi", "1536Mi"),
            ("0.5Ki", "512"),
            ("-100m", "-100m"),
            ("1n", "1n"),
            ("0.1n", "1n"),
            ("10u", "10u"),
            ("x", "<invalid>"),
            ("5Q", "<invalid>"),
        ];
        for (input, want) in table {
            assert_eq!(canon(input), want, "{input}");
        }
    }

    #[test]
    fn sums_keep_the_first_format_and_values_round_up() {
        let mut total = Qty::default();
        total.add(Qty::parse("64Mi").unwrap());
        total.add(Qty::parse("256Mi").unwrap());
        assert_eq!(total.to_string(), "320Mi");
        let mut cpu = Qty::parse("100m").unwrap();
        cpu.add(Qty::parse("250m").unwrap());
        assert_eq!(cpu.to_string(), "350m");
        assert_eq!(cpu.milli_value(), 350);
        assert_eq!(Qty::parse("1500m").unwrap().value(), 2);
        assert_eq!(Qty::parse("3996Mi").unwrap().value(), 3996 * 1024 * 1024);
    }
}
