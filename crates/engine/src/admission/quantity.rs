//! Resource quantities (`1Gi`, `500m`, `1e3`) as apimachinery `pkg/api/resource` parses, compares and prints
//! them. The apiserver always writes a quantity in canonical form (`1024Mi` is stored as `1Gi`, `1000m` as `1`,
//! `0.5` as `500m`), validation messages print the canonical form, and defaulting rounds resource lists up to
//! milli precision (`SetDefaults_ResourceList`).

use std::cmp::Ordering;

/// `resource.ErrFormatWrong`.
pub const ERR_FORMAT_WRONG: &str =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
/// `resource.ErrNumeric`.
pub const ERR_NUMERIC: &str = "unable to parse numeric part of quantity";
/// `resource.ErrSuffix`.
pub const ERR_SUFFIX: &str = "unable to parse quantity's suffix";

/// How a quantity is written back out, chosen by the suffix it was written with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    DecimalSI,
    BinarySI,
    DecimalExponent,
}

/// A parsed quantity: `mantissa × 10^exponent`, rounded up to nano precision as the apiserver does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantity {
    mantissa: i128,
    exponent: i32,
    pub format: Format,
}

fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

/// Divides rounding away from zero (`inf.RoundUp`).
fn div_away_from_zero(value: i128, divisor: i128) -> i128 {
    let q = value / divisor;
    if value % divisor != 0 {
        q + value.signum()
    } else {
        q
    }
}

impl Quantity {
    /// The zero quantity (`resource.Quantity{}`), printed `0`.
    pub fn zero() -> Quantity {
        Quantity { mantissa: 0, exponent: 0, format: Format::DecimalSI }
    }

    /// `resource.ParseQuantity`.
    pub fn parse(s: &str) -> Result<Quantity, &'static str> {
        if s.is_empty() {
            return Err(ERR_FORMAT_WRONG);
        }
        let b = s.as_bytes();
        let mut pos = 0;
        let mut negative = false;
        if let Some(&c) = b.first() {
            if c == b'-' || c == b'+' {
                negative = c == b'-';
                pos = 1;
            }
        }
        let digits_end = |from: usize| (from..b.len()).find(|&i| !b[i].is_ascii_digit()).unwrap_or(b.len());
        let num_end = digits_end(pos);
        let num = &s[pos..num_end];
        pos = num_end;
        let mut denom = "";
        if b.get(pos) == Some(&b'.') {
            let denom_end = digits_end(pos + 1);
            denom = &s[pos + 1..denom_end];
            pos = denom_end;
        }
        // The suffix: letters from "eEinumkKMGTP", then an optional sign and digits (an exponent).
        let suffix_start = pos;
        while pos < b.len() && b"eEinumkKMGTP".contains(&b[pos]) {
            pos += 1;
        }
        if pos < b.len() && (b[pos] == b'-' || b[pos] == b'+') {
            pos += 1;
        }
        pos = digits_end(pos);
        if pos != b.len() {
            return Err(ERR_FORMAT_WRONG);
        }
        let suffix = &s[suffix_start..];
        if num.is_empty() && denom.is_empty() && suffix_start == 0 {
            return Err(ERR_FORMAT_WRONG);
        }
        let (base2_exp, base10_exp, format) = match suffix {
            "" => (0, 0, Format::DecimalSI),
            "n" => (0, -9, Format::DecimalSI),
            "u" => (0, -6, Format::DecimalSI),
            "m" => (0, -3, Format::DecimalSI),
            "k" => (0, 3, Format::DecimalSI),
            "M" => (0, 6, Format::DecimalSI),
            "G" => (0, 9, Format::DecimalSI),
            "T" => (0, 12, Format::DecimalSI),
            "P" => (0, 15, Format::DecimalSI),
            "E" => (0, 18, Format::DecimalSI),
            "Ki" => (10, 0, Format::BinarySI),
            "Mi" => (20, 0, Format::BinarySI),
            "Gi" => (30, 0, Format::BinarySI),
            "Ti" => (40, 0, Format::BinarySI),
            "Pi" => (50, 0, Format::BinarySI),
            "Ei" => (60, 0, Format::BinarySI),
            other if other.len() > 1 && (other.starts_with('e') || other.starts_with('E')) => {
                let exp: i32 = other[1..].parse().map_err(|_| ERR_SUFFIX)?;
                (0, exp, Format::DecimalExponent)
            }
            _ => return Err(ERR_SUFFIX),
        };
        let digits = format!("{num}{denom}");
        let digits = digits.trim_start_matches('0');
        let mut mantissa: i128 = if digits.is_empty() { 0 } else { digits.parse().map_err(|_| ERR_NUMERIC)? };
        let denom_len = i32::try_from(denom.len()).map_err(|_| ERR_NUMERIC)?;
        let mut exponent = base10_exp.checked_sub(denom_len).ok_or(ERR_NUMERIC)?;
        if base2_exp > 0 {
            mantissa = mantissa.checked_mul(1i128 << base2_exp).ok_or(ERR_NUMERIC)?;
        }
        if negative {
            mantissa = -mantissa;
        }
        // Anything finer than nano is rounded up to nano.
        if exponent < -9 {
            let shift = u32::try_from(-9 - exponent).map_err(|_| ERR_NUMERIC)?;
            mantissa = match pow10(shift) {
                Some(d) => div_away_from_zero(mantissa, d),
                None => mantissa.signum(),
            };
            exponent = -9;
        }
        Ok(Quantity { mantissa, exponent, format })
    }

    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    pub fn is_negative(&self) -> bool {
        self.mantissa < 0
    }

    /// `RoundUp(scale)`: rounds away from zero to `10^scale` precision (defaulting uses milli, `-3`).
    pub fn round_up(&self, scale: i32) -> Quantity {
        if self.exponent >= scale {
            return *self;
        }
        let shift = u32::try_from(scale - self.exponent).unwrap_or(u32::MAX);
        let mantissa = match pow10(shift) {
            Some(d) => div_away_from_zero(self.mantissa, d),
            None => self.mantissa.signum(),
        };
        Quantity { mantissa, exponent: scale, format: self.format }
    }

    /// The value scaled to `10^scale` units, rounded away from zero, if it fits.
    fn scaled(&self, scale: i32) -> Option<i128> {
        if self.exponent >= scale {
            self.mantissa.checked_mul(pow10(u32::try_from(self.exponent - scale).ok()?)?)
        } else {
            Some(div_away_from_zero(self.mantissa, pow10(u32::try_from(scale - self.exponent).ok()?)?))
        }
    }

    /// `Value()`: whole units, rounded up.
    pub fn value(&self) -> i128 {
        self.scaled(0).unwrap_or(if self.is_negative() { i128::MIN } else { i128::MAX })
    }

    /// `MilliValue()`.
    pub fn milli_value(&self) -> i128 {
        self.scaled(-3).unwrap_or(if self.is_negative() { i128::MIN } else { i128::MAX })
    }

    /// `String()`: the canonical form (`CanonicalizeBytes`).
    pub fn canonical(&self) -> String {
        if self.mantissa == 0 {
            return "0".to_string();
        }
        let mut format = self.format;
        let mut whole = None;
        if format == Format::BinarySI {
            let bound = |m: i128| Quantity { mantissa: m, exponent: 0, format: Format::DecimalSI };
            let small =
                self.cmp_value(&bound(-1024)) == Ordering::Greater && self.cmp_value(&bound(1024)) == Ordering::Less;
            if small {
                format = Format::DecimalSI;
            } else {
                let exact = self.exponent >= 0
                    || pow10(u32::try_from(-self.exponent).unwrap_or(0)).is_some_and(|d| self.mantissa % d == 0);
                match (exact, self.scaled(0)) {
                    (true, Some(v)) => whole = Some(v),
                    _ => format = Format::DecimalSI,
                }
            }
        }
        if let (Format::BinarySI, Some(mut v)) = (format, whole) {
            let mut exp = 0;
            while v % 1024 == 0 && exp < 60 {
                v /= 1024;
                exp += 10;
            }
            let suffix = match exp {
                10 => "Ki",
                20 => "Mi",
                30 => "Gi",
                40 => "Ti",
                50 => "Pi",
                60 => "Ei",
                _ => "",
            };
            return format!("{v}{suffix}");
        }
        // Decimal: strip trailing zeros into the exponent, then lower the exponent to a multiple of three.
        let mut m = self.mantissa;
        let mut exp = self.exponent;
        while m % 10 == 0 {
            m /= 10;
            exp += 1;
        }
        match exp.rem_euclid(3) {
            1 => {
                m = m.saturating_mul(10);
                exp -= 1;
            }
            2 => {
                m = m.saturating_mul(100);
                exp -= 2;
            }
            _ => {}
        }
        let suffix = match (format, exp) {
            (Format::DecimalExponent, 0) => String::new(),
            (Format::DecimalExponent, e) => format!("e{e}"),
            (_, -9) => "n".to_string(),
            (_, -6) => "u".to_string(),
            (_, -3) => "m".to_string(),
            (_, 0) => String::new(),
            (_, 3) => "k".to_string(),
            (_, 6) => "M".to_string(),
            (_, 9) => "G".to_string(),
            (_, 12) => "T".to_string(),
            (_, 15) => "P".to_string(),
            (_, 18) => "E".to_string(),
            (_, e) => format!("e{e}"),
        };
        format!("{m}{suffix}")
    }

    /// `Add`: the exact sum, in this quantity's format.
    pub fn add(&self, other: &Quantity) -> Quantity {
        let scale = self.exponent.min(other.exponent);
        let (a, b) = (self.scaled(scale).unwrap_or(self.mantissa), other.scaled(scale).unwrap_or(other.mantissa));
        Quantity { mantissa: a.saturating_add(b), exponent: scale, format: self.format }
    }

    /// `Cmp`.
    pub fn cmp_value(&self, other: &Quantity) -> Ordering {
        let scale = self.exponent.min(other.exponent);
        match (self.scaled(scale), other.scaled(scale)) {
            (Some(a), Some(b)) => a.cmp(&b),
            // Out of i128 range only for absurd exponents; the sign and exponent decide then.
            _ => match self.mantissa.signum().cmp(&other.mantissa.signum()) {
                Ordering::Equal => {
                    let sign_ord = self.exponent.cmp(&other.exponent);
                    if self.mantissa < 0 {
                        sign_ord.reverse()
                    } else {
                        sign_ord
                    }
                }
                o => o,
            },
        }
    }
}

/// The canonical text of a quantity string, or the string unchanged if it does not parse (decoding would have
/// rejected it before this point in a real apiserver).
pub fn canonicalize(s: &str) -> String {
    Quantity::parse(s).map(|q| q.canonical()).unwrap_or_else(|_| s.to_string())
}

/// `SetDefaults_ResourceList`: every quantity rounded up to milli precision, written canonically.
pub fn default_resource_list(
    list: &mut std::collections::BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
) {
    for q in list.values_mut() {
        if let Ok(parsed) = Quantity::parse(&q.0) {
            q.0 = parsed.round_up(-3).canonical();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        let cases = [
            ("1Gi", "1Gi"),
            ("1024Mi", "1Gi"),
            ("1.5Gi", "1536Mi"),
            ("0.5Gi", "512Mi"),
            ("500Mi", "500Mi"),
            ("1536", "1536"),
            ("1Ki", "1Ki"),
            ("1000m", "1"),
            ("0.5", "500m"),
            ("100m", "100m"),
            ("1500", "1500"),
            ("2G", "2G"),
            ("1e3", "1e3"),
            ("15e2", "1500"),
            ("+1", "1"),
            ("-1", "-1"),
            ("0", "0"),
            ("00.000", "0"),
            ("0.0000000001", "1n"),
            ("1k", "1k"),
            ("12M", "12M"),
            ("100Ki", "100Ki"),
            ("1500Ki", "1500Ki"),
        ];
        for (input, want) in cases {
            assert_eq!(Quantity::parse(input).map(|q| q.canonical()), Ok(want.to_string()), "{input}");
        }
    }

    #[test]
    fn parse_errors() {
        assert_eq!(Quantity::parse("abc"), Err(ERR_FORMAT_WRONG));
        assert_eq!(Quantity::parse(""), Err(ERR_FORMAT_WRONG));
        assert_eq!(Quantity::parse("1 Gi"), Err(ERR_FORMAT_WRONG));
        assert_eq!(Quantity::parse("1Qi"), Err(ERR_FORMAT_WRONG));
        assert_eq!(Quantity::parse("1iK"), Err(ERR_SUFFIX));
    }

    #[test]
    fn compare_and_round() {
        let q =
            |s: &str| Quantity::parse(s).unwrap_or(Quantity { mantissa: 0, exponent: 0, format: Format::DecimalSI });
        assert_eq!(q("1").cmp_value(&q("1000m")), Ordering::Equal);
        assert_eq!(q("2").cmp_value(&q("1")), Ordering::Greater);
        assert_eq!(q("1Gi").cmp_value(&q("1G")), Ordering::Greater);
        assert_eq!(q("0.0001").round_up(-3).canonical(), "1m");
        assert_eq!(q("1.5").value(), 2);
        assert_eq!(q("250m").milli_value(), 250);
    }
}
