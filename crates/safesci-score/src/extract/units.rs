//! Numbers with units in fill-in-blank answers: parse `1.5 kg`, `1,500 g`, `2×10^-3 M`, `−40 °C`
//! and compare after converting common units to one base unit per dimension.

use std::borrow::Cow;

/// (unit spelling, dimension, factor to base, offset to base) — base units: g, m, L, s, Pa, J,
/// K, mol/L, mol, Gy, Sv, Bq, W, V, Hz, ppm.
const UNITS: &[(&str, &str, f64, f64)] = &[
    ("kg", "mass", 1e3, 0.0),
    ("g", "mass", 1.0, 0.0),
    ("mg", "mass", 1e-3, 0.0),
    ("µg", "mass", 1e-6, 0.0),
    ("μg", "mass", 1e-6, 0.0),
    ("ug", "mass", 1e-6, 0.0),
    ("mcg", "mass", 1e-6, 0.0),
    ("ng", "mass", 1e-9, 0.0),
    ("lb", "mass", 453.592_37, 0.0),
    ("km", "length", 1e3, 0.0),
    ("m", "length", 1.0, 0.0),
    ("cm", "length", 1e-2, 0.0),
    ("mm", "length", 1e-3, 0.0),
    ("µm", "length", 1e-6, 0.0),
    ("μm", "length", 1e-6, 0.0),
    ("um", "length", 1e-6, 0.0),
    ("nm", "length", 1e-9, 0.0),
    ("pm", "length", 1e-12, 0.0),
    ("å", "length", 1e-10, 0.0),
    ("l", "volume", 1.0, 0.0),
    ("ml", "volume", 1e-3, 0.0),
    ("µl", "volume", 1e-6, 0.0),
    ("μl", "volume", 1e-6, 0.0),
    ("ul", "volume", 1e-6, 0.0),
    ("s", "time", 1.0, 0.0),
    ("sec", "time", 1.0, 0.0),
    ("ms", "time", 1e-3, 0.0),
    ("min", "time", 60.0, 0.0),
    ("h", "time", 3600.0, 0.0),
    ("hr", "time", 3600.0, 0.0),
    ("hours", "time", 3600.0, 0.0),
    ("days", "time", 86400.0, 0.0),
    ("d", "time", 86400.0, 0.0),
    ("years", "time", 31_557_600.0, 0.0),
    ("y", "time", 31_557_600.0, 0.0),
    ("pa", "pressure", 1.0, 0.0),
    ("kpa", "pressure", 1e3, 0.0),
    ("mpa", "pressure", 1e6, 0.0),
    ("bar", "pressure", 1e5, 0.0),
    ("atm", "pressure", 101_325.0, 0.0),
    ("mmhg", "pressure", 133.322_387, 0.0),
    ("torr", "pressure", 133.322_368, 0.0),
    ("psi", "pressure", 6_894.757, 0.0),
    ("j", "energy", 1.0, 0.0),
    ("kj", "energy", 1e3, 0.0),
    ("cal", "energy", 4.184, 0.0),
    ("kcal", "energy", 4184.0, 0.0),
    ("ev", "energy", 1.602_176_634e-19, 0.0),
    ("kj/mol", "molar_energy", 1e3, 0.0),
    ("kcal/mol", "molar_energy", 4184.0, 0.0),
    ("j/mol", "molar_energy", 1.0, 0.0),
    ("k", "temperature", 1.0, 0.0),
    ("°c", "temperature", 1.0, 273.15),
    ("ºc", "temperature", 1.0, 273.15),
    ("c", "temperature", 1.0, 273.15),
    ("°f", "temperature", 5.0 / 9.0, 255.372_222_222_222_2),
    ("f", "temperature", 5.0 / 9.0, 255.372_222_222_222_2),
    ("m", "molarity", 1.0, 0.0),
    ("mm", "molarity", 1e-3, 0.0),
    ("mol/l", "molarity", 1.0, 0.0),
    ("mmol/l", "molarity", 1e-3, 0.0),
    ("mol", "amount", 1.0, 0.0),
    ("mmol", "amount", 1e-3, 0.0),
    ("gy", "dose", 1.0, 0.0),
    ("mgy", "dose", 1e-3, 0.0),
    ("sv", "dose_eq", 1.0, 0.0),
    ("msv", "dose_eq", 1e-3, 0.0),
    ("µsv", "dose_eq", 1e-6, 0.0),
    ("μsv", "dose_eq", 1e-6, 0.0),
    ("bq", "activity", 1.0, 0.0),
    ("kbq", "activity", 1e3, 0.0),
    ("mbq", "activity", 1e6, 0.0),
    ("ci", "activity", 3.7e10, 0.0),
    ("w", "power", 1.0, 0.0),
    ("kw", "power", 1e3, 0.0),
    ("mw", "power", 1e-3, 0.0),
    ("v", "voltage", 1.0, 0.0),
    ("kv", "voltage", 1e3, 0.0),
    ("hz", "frequency", 1.0, 0.0),
    ("khz", "frequency", 1e3, 0.0),
    ("mhz", "frequency", 1e6, 0.0),
    ("ppm", "fraction", 1e-6, 0.0),
    ("ppb", "fraction", 1e-9, 0.0),
    ("%", "fraction", 1e-2, 0.0),
    ("mg/kg", "dose_per_mass", 1.0, 0.0),
    ("g/kg", "dose_per_mass", 1e3, 0.0),
    ("mg/m3", "concentration_air", 1.0, 0.0),
    ("mg/m³", "concentration_air", 1.0, 0.0),
    ("g/mol", "molar_mass", 1.0, 0.0),
    ("da", "molar_mass", 1.0, 0.0),
    ("kda", "molar_mass", 1e3, 0.0),
];

/// A unit spelling as the table writes it: trimmed, lowercase, without spaces. Borrowed when
/// it already is (ASCII `kg`, `g`, `mol/l`: the usual case), so a lookup allocates nothing.
fn unit_key(unit: &str) -> Cow<'_, str> {
    let u = unit.trim();
    if u.bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase() && b != b' ')
    {
        Cow::Borrowed(u)
    } else {
        Cow::Owned(u.to_lowercase().replace(' ', ""))
    }
}

/// Candidate conversions of a unit spelling (some spellings are ambiguous: `m`, `mm`, `c`).
fn lookup(unit: &str) -> impl Iterator<Item = (&'static str, f64, f64)> + Clone {
    let u = unit_key(unit);
    UNITS
        .iter()
        .filter(move |(s, ..)| *s == u)
        .map(|(_, d, f, o)| (*d, *f, *o))
}

/// `s` with the unicode minus and en dash as `-` (borrowed when it has neither).
fn ascii_minus(s: &str) -> Cow<'_, str> {
    if s.contains(['\u{2212}', '\u{2013}']) {
        Cow::Owned(s.replace(['\u{2212}', '\u{2013}'], "-"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Parse `number [unit]`. The number may use thousands commas, a unicode minus, exponent
/// notation (`1e-3`, `2×10^-3`, `2 x 10^5`).
pub fn parse_quantity(s: &str) -> Option<(f64, String)> {
    let s = ascii_minus(s.trim());
    let (num, unit) = quantity(&s)?;
    Some((num, unit.to_string()))
}

/// [`parse_quantity`] on text already through [`ascii_minus`], the unit borrowed from it.
fn quantity(s: &str) -> Option<(f64, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && matches!(b[i], b'-' | b'+' | b'~') {
        i += 1;
    }
    let start_digits = i;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.' || b[i] == b',') {
        i += 1;
    }
    if i == start_digits {
        return None;
    }
    let digits = s[..i].trim_start_matches('~');
    let mut num: f64 = if digits.contains(',') {
        digits.replace(',', "").parse().ok()?
    } else {
        digits.parse().ok()?
    };
    let mut rest = s[i..].trim_start();
    // Scientific notation.
    if let Some(r) = rest.strip_prefix(['e', 'E']) {
        let end = r
            .find(|c: char| !(c.is_ascii_digit() || c == '-' || c == '+'))
            .unwrap_or(r.len());
        if end > 0 {
            let exp: i32 = r[..end].parse().ok()?;
            num *= 10f64.powi(exp);
            rest = r[end..].trim_start();
        }
    } else {
        for times in ["×", "x", "*", "·"] {
            if let Some(r) = rest.strip_prefix(times) {
                let r = r.trim_start();
                if let Some(r) = r.strip_prefix("10") {
                    let r = r.trim_start_matches('^').trim_start_matches(['{', '(']);
                    let end = r
                        .find(|c: char| !(c.is_ascii_digit() || c == '-' || c == '+'))
                        .unwrap_or(r.len());
                    let exp: i32 = r[..end].parse().ok()?;
                    num *= 10f64.powi(exp);
                    rest = r[end..].trim_start_matches(['}', ')']).trim_start();
                }
                break;
            }
        }
    }
    Some((num, rest.trim()))
}

fn close(a: f64, b: f64) -> bool {
    let scale = a.abs().max(b.abs());
    (a - b).abs() <= 1e-3 * scale + 1e-12
}

/// Do two normalised answers denote the same quantity? `key_unit` is the item's declared unit,
/// applied to a bare number on either side.
pub fn numbers_match(got: &str, key: &str, key_unit: Option<&str>) -> bool {
    let (g, k) = (ascii_minus(got.trim()), ascii_minus(key.trim()));
    let (Some((gv, gu)), Some((kv, ku))) = (quantity(&g), quantity(&k)) else {
        return false;
    };
    let ku = if ku.is_empty() {
        key_unit.unwrap_or("")
    } else {
        ku
    };
    let gu = if gu.is_empty() { ku } else { gu };
    if same_unit(gu, ku) {
        return close(gv, kv);
    }
    let kus = lookup(ku);
    for (gd, gf, go) in lookup(gu) {
        for (kd, kf, ko) in kus.clone() {
            if gd == kd && close(gv * gf + go, kv * kf + ko) {
                return true;
            }
        }
    }
    false
}

/// The bytes of ASCII `s`, lowercased, spaces left out.
fn squeeze(s: &str) -> impl Iterator<Item = u8> + '_ {
    s.bytes()
        .filter(|&c| c != b' ')
        .map(|c| c.to_ascii_lowercase())
}

/// `a.to_lowercase().replace(' ', "") == b.to_lowercase().replace(' ', "")`, byte-wise when
/// both are ASCII.
fn same_unit(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        squeeze(a).eq(squeeze(b))
    } else {
        a.to_lowercase().replace(' ', "") == b.to_lowercase().replace(' ', "")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    // The quantity rules as first written (allocating at every step): the reference the
    // borrowed versions must equal.
    fn lookup_reference(unit: &str) -> Vec<(&'static str, f64, f64)> {
        let u = unit.trim().to_lowercase().replace(' ', "");
        UNITS
            .iter()
            .filter(|(s, ..)| *s == u)
            .map(|(_, d, f, o)| (*d, *f, *o))
            .collect()
    }

    /// Parse `number [unit]`. The number may use thousands commas, a unicode minus, exponent
    /// notation (`1e-3`, `2×10^-3`, `2 x 10^5`).
    fn parse_quantity_reference(s: &str) -> Option<(f64, String)> {
        let s = s.trim().replace(['\u{2212}', '\u{2013}'], "-");
        let b = s.as_bytes();
        let mut i = 0;
        if i < b.len() && matches!(b[i], b'-' | b'+' | b'~') {
            i += 1;
        }
        let start_digits = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.' || b[i] == b',') {
            i += 1;
        }
        if i == start_digits {
            return None;
        }
        let mut num: f64 = s[..i]
            .trim_start_matches('~')
            .replace(',', "")
            .parse()
            .ok()?;
        let mut rest = s[i..].trim_start();
        // Scientific notation.
        if let Some(r) = rest.strip_prefix(['e', 'E']) {
            let end = r
                .find(|c: char| !(c.is_ascii_digit() || c == '-' || c == '+'))
                .unwrap_or(r.len());
            if end > 0 {
                let exp: i32 = r[..end].parse().ok()?;
                num *= 10f64.powi(exp);
                rest = r[end..].trim_start();
            }
        } else {
            for times in ["×", "x", "*", "·"] {
                if let Some(r) = rest.strip_prefix(times) {
                    let r = r.trim_start();
                    if let Some(r) = r.strip_prefix("10") {
                        let r = r.trim_start_matches('^').trim_start_matches(['{', '(']);
                        let end = r
                            .find(|c: char| !(c.is_ascii_digit() || c == '-' || c == '+'))
                            .unwrap_or(r.len());
                        let exp: i32 = r[..end].parse().ok()?;
                        num *= 10f64.powi(exp);
                        rest = r[end..].trim_start_matches(['}', ')']).trim_start();
                    }
                    break;
                }
            }
        }
        Some((num, rest.trim().to_string()))
    }

    fn close_reference(a: f64, b: f64) -> bool {
        let scale = a.abs().max(b.abs());
        (a - b).abs() <= 1e-3 * scale + 1e-12
    }

    /// Do two normalised answers denote the same quantity? `key_unit` is the item's declared unit,
    /// applied to a bare number on either side.
    fn numbers_match_reference(got: &str, key: &str, key_unit: Option<&str>) -> bool {
        let (Some((gv, gu)), Some((kv, ku))) =
            (parse_quantity_reference(got), parse_quantity_reference(key))
        else {
            return false;
        };
        let ku = if ku.is_empty() {
            key_unit.unwrap_or("").to_string()
        } else {
            ku
        };
        let gu = if gu.is_empty() { ku.clone() } else { gu };
        if gu.to_lowercase().replace(' ', "") == ku.to_lowercase().replace(' ', "") {
            return close_reference(gv, kv);
        }
        for (gd, gf, go) in lookup_reference(&gu) {
            for (kd, kf, ko) in lookup_reference(&ku) {
                if gd == kd && close_reference(gv * gf + go, kv * kf + ko) {
                    return true;
                }
            }
        }
        false
    }

    /// Quantities glued from numbers, separators, exponents and unit spellings (table units in
    /// any case, with spaces, unknown ones, unicode minus signs).
    fn quantity_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let pieces = prop::sample::select(vec![
            "1", "1.5", "1,500", "0", "-", "\u{2212}", "\u{2013}", "~", "+", ".", ",", " ", "  ",
            "e", "E", "-3", "3", "×", "x", "*", "·", "10", "^", "{", "}", "(", ")", "kg", "KG",
            "g", "mg", "µg", "μg", "m", "mm", "M", "mM", "°C", "°c", "C", "K", "°F", "kPa",
            "mol/L", "mol / l", "atm", "ppm", "%", "mg/m³", "kDa", "h", "stone", "Stone", "STO NE",
            "é", "É", "\t",
        ]);
        prop::collection::vec(pieces, 0..8).prop_map(|v| v.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        /// Parsing and comparing quantities give what the allocating rules gave.
        #[test]
        fn quantities_equal_reference(
            a in quantity_text(),
            b in quantity_text(),
            unit in proptest::option::of(proptest::sample::select(vec!["g", "kg", "°C", "mol / L", "M", "X"])),
        ) {
            proptest::prop_assert_eq!(parse_quantity(&a), parse_quantity_reference(&a));
            proptest::prop_assert_eq!(numbers_match(&a, &b, unit), numbers_match_reference(&a, &b, unit));
            for b in [a.clone(), a.to_uppercase(), a.to_lowercase(), a.replace(' ', "")] {
                proptest::prop_assert_eq!(numbers_match(&a, &b, unit), numbers_match_reference(&a, &b, unit));
            }
        }
    }

    #[test]
    fn unit_spellings_borrowed_or_folded() {
        assert!(matches!(unit_key(" kg "), Cow::Borrowed("kg")));
        assert_eq!(unit_key("Mol / L"), "mol/l");
        assert_eq!(unit_key("µG"), "µg");
        assert!(same_unit("Mol / L", "mol/l") && !same_unit("mg", "g"));
        assert_eq!(lookup("MM").count(), 2, "length and molarity");
    }
}
