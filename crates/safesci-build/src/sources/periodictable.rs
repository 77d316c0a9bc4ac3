//! Reader for `periodictable` (public domain): the neutron activation table
//! `periodictable/activation.dat` (target isotope, reaction, product, product half-life, thermal
//! cross-section) and the thermal-neutron absorption cross-sections of the `nsftable` string in
//! `periodictable/nsf.py` (Sears 1992 and later). Plain text, parsed here; no Python.

use super::{OpenSource, SourceError};

pub const ACTIVATION: &str = "periodictable/activation.dat";
pub const NSF: &str = "periodictable/nsf.py";

/// One activation reaction of a naturally occurring isotope.
#[derive(Debug, Clone, PartialEq)]
pub struct Activation {
    /// Target isotope, `Co-59`.
    pub target: String,
    pub abundance_pct: Option<f64>,
    /// Product nuclide, `Co-60` (isomers as `Co-60m`).
    pub product: String,
    pub half_life: f64,
    /// `s`, `m`, `h`, `d`, `y`.
    pub unit: String,
    /// `(n,γ)`, `(n,p)`, `(n,α)`, `(n,2n)`.
    pub reaction: String,
    /// Thermal cross-section in barns.
    pub thermal_b: Option<f64>,
    pub line: usize,
}

/// Thermal-neutron absorption cross-section of an element (natural mix) or isotope.
#[derive(Debug, Clone, PartialEq)]
pub struct Absorption {
    /// `B` for the natural element, `B-10` for an isotope.
    pub name: String,
    pub z: u32,
    pub isotope: bool,
    pub barns: f64,
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeriodicTable {
    pub activation: Vec<Activation>,
    pub absorption: Vec<Absorption>,
}

fn num(s: &str) -> Option<f64> {
    // `767.0(8.0)` → 767.0; `<6.0E-6` and empty → none.
    let s = s.trim();
    let s = s.split('(').next().unwrap_or("").trim();
    if s.is_empty() || s.starts_with('<') || s.starts_with('>') {
        return None;
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

fn reaction(code: &str) -> Option<&'static str> {
    match code.trim().trim_matches('"') {
        "act" => Some("(n,γ)"),
        "n,p" => Some("(n,p)"),
        "n,a" => Some("(n,α)"),
        "n,2n" => Some("(n,2n)"),
        _ => None,
    }
}

/// Parse `activation.dat` (tab-separated, four header lines). Rows whose product is not a plain
/// nuclide name (e.g. summed isomer states `Na-24m+`) are skipped.
pub fn parse_activation(text: &str) -> Vec<Activation> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let c: Vec<&str> = line.split('\t').map(str::trim).collect();
        if c.len() < 15 || c[2].parse::<u32>().is_err() {
            continue;
        }
        let target = c[5];
        let product = c[7];
        let plain = |n: &str| {
            let mut parts = n.splitn(2, '-');
            let sym = parts.next().unwrap_or("");
            let rest = parts.next().unwrap_or("");
            !sym.is_empty()
                && sym.chars().all(|ch| ch.is_ascii_alphabetic())
                && rest
                    .trim_end_matches('m')
                    .chars()
                    .all(|ch| ch.is_ascii_digit())
                && !rest.trim_end_matches('m').is_empty()
        };
        let (Some(hl), Some(rx)) = (num(c[8]), reaction(c[12])) else {
            continue;
        };
        if !plain(target) || !plain(product) || !matches!(c[9], "s" | "m" | "h" | "d" | "y") {
            continue;
        }
        out.push(Activation {
            target: target.to_string(),
            abundance_pct: num(c[6]),
            product: product.to_string(),
            half_life: hl,
            unit: c[9].to_string(),
            reaction: rx.to_string(),
            thermal_b: num(c[14]),
            line: i + 1,
        });
    }
    out
}

/// Parse the `nsftable = """…"""` block of `nsf.py`: `Z-Sym[-A],…` with the absorption
/// cross-section (barns) in the eleventh column.
pub fn parse_nsf(text: &str) -> Result<Vec<Absorption>, SourceError> {
    let start = text
        .find("nsftable = \"\"\"\\")
        .ok_or_else(|| SourceError::Parse {
            file: NSF.into(),
            line: 0,
            message: "no `nsftable` block".into(),
        })?;
    let first_line = text[..start].lines().count() + 1;
    let body = &text[start..];
    let mut out = Vec::new();
    for (i, line) in body.lines().enumerate().skip(1) {
        if line.starts_with("\"\"\"") {
            break;
        }
        let c: Vec<&str> = line.split(',').collect();
        if c.len() < 11 {
            continue;
        }
        let id: Vec<&str> = c[0].split('-').collect();
        let (Some(z), Some(barns)) = (id.first().and_then(|z| z.parse::<u32>().ok()), num(c[10]))
        else {
            continue;
        };
        if z == 0 {
            continue;
        }
        let (name, isotope) = match id.as_slice() {
            [_, sym] => (sym.to_string(), false),
            [_, sym, a] if a.chars().all(|ch| ch.is_ascii_digit()) => (format!("{sym}-{a}"), true),
            _ => continue,
        };
        out.push(Absorption {
            name,
            z,
            isotope,
            barns,
            line: first_line + i,
        });
    }
    Ok(out)
}

pub fn read(src: &OpenSource) -> Result<PeriodicTable, SourceError> {
    Ok(PeriodicTable {
        activation: parse_activation(&src.read_text(ACTIVATION)?),
        absorption: parse_nsf(&src.read_text(NSF)?)?,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn activation_rows_parse_and_skip_summed_isomers() {
        let text = "hdr\nhdr\nhdr\nhdr\n\
Co\t60\t27\tCo\t59\tCo-59\t100\tCo-60\t5.271\ty\t\t\tact\tn\t37.18\t\t74\t46174.0\t5.27 y\n\
Na\t23\t11\tNa\t23\tNa-23\t100\tNa-24m+\t0.02\ts\tm+\t\tact\tn\t0.4\t\t\t5.5E-06\t0.020 s\n\
Li\t4\t3\tLi\t6\tLi-6\t7.5\tH-3\t12.346\ty\t\t\t\"n,a\"\tn\t940\t\t425.5\t108150.96\t12.346y\n";
        let rows = parse_activation(text);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (
                rows[0].target.as_str(),
                rows[0].product.as_str(),
                rows[0].reaction.as_str()
            ),
            ("Co-59", "Co-60", "(n,γ)")
        );
        assert_eq!(rows[0].thermal_b, Some(37.18));
        assert_eq!(
            (rows[1].product.as_str(), rows[1].reaction.as_str()),
            ("H-3", "(n,α)")
        );
        assert_eq!(rows[1].unit, "y");
    }

    #[test]
    fn nsf_table_absorption_column() {
        let text = "x = 1\nnsftable = \"\"\"\\\n0-n-1,618 S,1/2,-37.0(6),0,-37.0(6),,43.01(2),,43.01(2),0\n5-B,,,5.30(4),,,,3.54(5),1.70(12),5.24(11),767.0(8.0)\n5-B-10,19.4,3,-0.2(4),-4.2(4),5.2(4),,0.144(6),3.0(4),3.1(4),3835.0(9.0)\n1-H-3,12.26 Y,1/2,4.792(27),4.18(15),6.56(37),,2.89(3),0.14(4),3.03(5),<6.0E-6\n\"\"\"\n";
        let rows = parse_nsf(text).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].name.as_str(), rows[0].isotope, rows[0].barns),
            ("B", false, 767.0)
        );
        assert_eq!(
            (rows[1].name.as_str(), rows[1].isotope, rows[1].barns),
            ("B-10", true, 3835.0)
        );
        assert_eq!(rows[0].line, 4);
    }
}
