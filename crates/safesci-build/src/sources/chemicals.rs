//! Reader for the `chemicals` wheel: IARC and NTP carcinogen lists, Ontario exposure limits,
//! IEC 60079-20-1 / NFPA 497 flammability, DIPPR flash points, Yaws boiling points, GWP/ODP and the
//! PubChem identifier table. Temperatures are converted from K to °C and flammability limits from
//! mole fraction to vol % here, once, so generators only see display units.

use super::{OpenSource, SourceError};
use std::collections::BTreeMap;

pub const IARC: &str = "chemicals/Safety/IARC Carcinogen Database.tsv";
pub const NTP: &str = "chemicals/Safety/National Toxicology Program Carcinogens.tsv";
pub const ONTARIO: &str = "chemicals/Safety/Ontario Exposure Limits.json";
pub const IEC: &str = "chemicals/Safety/IS IEC 60079-20-1 2010.tsv";
pub const NFPA497: &str = "chemicals/Safety/NFPA 497 2008.tsv";
pub const DIPPR_FLASH: &str = "chemicals/Safety/DIPPR T_flash Serat.csv";
pub const YAWS_TB: &str = "chemicals/Phase Change/Yaws Boiling Points.tsv";
pub const GWP: &str = "chemicals/Environment/Official Global Warming Potentials 2021.tsv";
pub const ODP: &str = "chemicals/Environment/Ozone Depletion Potentials.tsv";
pub const IDENTIFIERS: &str = "chemicals/Identifiers/chemical identifiers pubchem large.tsv";

/// IARC classification group as displayed ("1", "2A", "2B", "3").
#[derive(Debug, Clone, PartialEq)]
pub struct Iarc {
    pub cas: String,
    pub name: String,
    pub group: String,
    pub year: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ntp {
    pub cas: String,
    pub name: String,
    /// true = "Known to be a human carcinogen", false = "Reasonably anticipated".
    pub known: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Oel {
    pub cas: String,
    pub name: String,
    pub twa_ppm: Option<f64>,
    pub twa_mg: Option<f64>,
    pub stel_ppm: Option<f64>,
    pub ceiling_ppm: Option<f64>,
    pub skin: bool,
}

/// Flammability data of one substance from one standard; temperatures in °C, limits in vol %.
#[derive(Debug, Clone, PartialEq)]
pub struct Flammability {
    pub cas: String,
    pub name: String,
    /// `IEC 60079-20-1` or `NFPA 497`.
    pub standard: &'static str,
    pub member: &'static str,
    pub flash_c: Option<f64>,
    pub autoignition_c: Option<f64>,
    pub lfl_vol: Option<f64>,
    pub ufl_vol: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Gwp {
    pub cas: String,
    pub name: String,
    pub gwp100: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Odp {
    pub cas: String,
    pub name: String,
    pub odp: f64,
}

/// One row of the PubChem identifier table (the fields the builder uses).
#[derive(Debug, Clone, PartialEq)]
pub struct Identifier {
    pub cid: String,
    pub cas: String,
    pub formula: String,
    pub mw: f64,
    pub smiles: String,
    pub iupac: String,
    pub common: String,
    pub synonyms: Vec<String>,
}

/// Everything read from the chemicals wheel.
#[derive(Debug, Clone, Default)]
pub struct Chemicals {
    pub version: String,
    pub iarc: Vec<Iarc>,
    pub ntp: Vec<Ntp>,
    pub oel: Vec<Oel>,
    pub flammability: Vec<Flammability>,
    /// Flash points (°C) from the DIPPR compilation, by CAS.
    pub dippr_flash_c: BTreeMap<String, (String, f64)>,
    /// Normal boiling points (°C) by CAS (Yaws).
    pub boiling_c: BTreeMap<String, f64>,
    pub gwp: Vec<Gwp>,
    pub odp: Vec<Odp>,
    pub identifiers: Vec<Identifier>,
}

/// Kelvin to °C, rounded to one decimal the same way everywhere.
pub fn k_to_c(k: f64) -> f64 {
    ((k - 273.15) * 10.0).round() / 10.0
}

/// Mole fraction to vol %, rounded to two decimals.
pub fn frac_to_vol(x: f64) -> f64 {
    (x * 10_000.0).round() / 100.0
}

fn num(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Split a TSV into rows of fields (no quoting: the files contain bare quotes in names).
fn tsv_rows(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .skip(1)
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r').split('\t').collect()))
}

fn iarc_group(code: &str) -> Option<&'static str> {
    match code.trim() {
        "1" => Some("1"),
        "11" => Some("2A"),
        "12" => Some("2B"),
        "3" => Some("3"),
        _ => None,
    }
}

/// Clean a display name: first alternative, no trailing notes in brackets.
fn clean_name(raw: &str) -> String {
    let first = raw.split(';').next().unwrap_or(raw).trim();
    let first = first.split(" (see").next().unwrap_or(first);
    let first = first.split(" [").next().unwrap_or(first);
    first
        .trim()
        .trim_matches(|c| c == '(' || c == ')')
        .trim()
        .to_string()
}

pub fn parse_iarc(text: &str) -> Vec<Iarc> {
    tsv_rows(text)
        .filter_map(|(_, f)| {
            let group = iarc_group(f.get(2)?)?;
            Some(Iarc {
                cas: f.first()?.trim().to_string(),
                name: clean_name(f.get(1)?),
                group: group.to_string(),
                year: f.get(4).map(|s| s.trim().to_string()).unwrap_or_default(),
            })
        })
        .filter(|r| !r.name.is_empty())
        .collect()
}

pub fn parse_ntp(text: &str) -> Vec<Ntp> {
    tsv_rows(text)
        .filter_map(|(_, f)| {
            let known = match f.get(2)?.trim() {
                "1" => true,
                "2" => false,
                _ => return None,
            };
            Some(Ntp {
                cas: f.first()?.trim().to_string(),
                name: clean_name(f.get(1)?),
                known,
            })
        })
        .filter(|r| !r.name.is_empty())
        .collect()
}

pub fn parse_ontario(text: &str) -> Result<Vec<Oel>, SourceError> {
    let map: BTreeMap<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| SourceError::Parse {
            file: ONTARIO.into(),
            line: e.line(),
            message: e.to_string(),
        })?;
    let f = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_f64());
    Ok(map
        .into_iter()
        .map(|(cas, v)| Oel {
            name: clean_name(v.get("Name").and_then(|n| n.as_str()).unwrap_or("")),
            twa_ppm: f(&v, "TWA (ppm)"),
            twa_mg: f(&v, "TWA (mg/m^3)"),
            stel_ppm: f(&v, "STEL (ppm)"),
            ceiling_ppm: f(&v, "Ceiling (ppm)"),
            skin: v.get("Skin").and_then(|s| s.as_bool()).unwrap_or(false),
            cas,
        })
        .filter(|o| !o.name.is_empty())
        .collect())
}

pub fn parse_flammability(
    text: &str,
    standard: &'static str,
    member: &'static str,
) -> Vec<Flammability> {
    tsv_rows(text)
        .filter_map(|(_, f)| {
            Some(Flammability {
                cas: f.first()?.trim().to_string(),
                name: clean_name(f.get(1)?),
                standard,
                member,
                flash_c: f.get(2).and_then(|s| num(s)).map(k_to_c),
                autoignition_c: f.get(3).and_then(|s| num(s)).map(k_to_c),
                lfl_vol: f.get(4).and_then(|s| num(s)).map(frac_to_vol),
                ufl_vol: f.get(5).and_then(|s| num(s)).map(frac_to_vol),
            })
        })
        .filter(|r| !r.name.is_empty() && !r.cas.is_empty())
        .collect()
}

pub fn parse_gwp(text: &str) -> Vec<Gwp> {
    tsv_rows(text)
        .filter_map(|(_, f)| {
            Some(Gwp {
                name: f.first()?.trim().to_string(),
                cas: f.get(1)?.trim().to_string(),
                gwp100: num(f.get(9)?)?,
            })
        })
        .filter(|g| !g.name.is_empty())
        .collect()
}

pub fn parse_odp(text: &str) -> Vec<Odp> {
    tsv_rows(text)
        .filter_map(|(_, f)| {
            Some(Odp {
                cas: f.first()?.trim().to_string(),
                name: f.get(4)?.trim().to_string(),
                odp: num(f.get(3)?)?,
            })
        })
        .filter(|o| !o.name.is_empty())
        .collect()
}

pub fn parse_identifiers(text: &str) -> Vec<Identifier> {
    // The table has no header row.
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some(Identifier {
                cid: f.first()?.to_string(),
                cas: f.get(1)?.to_string(),
                formula: f.get(2)?.to_string(),
                mw: num(f.get(3)?)?,
                smiles: f.get(4)?.to_string(),
                iupac: f.get(7).map(|s| s.to_string()).unwrap_or_default(),
                common: f.get(8).map(|s| s.to_string()).unwrap_or_default(),
                synonyms: f.iter().skip(9).take(12).map(|s| s.to_string()).collect(),
            })
        })
        .collect()
}

fn simple_map(
    text: &str,
    value_col: usize,
    name_col: Option<usize>,
) -> BTreeMap<String, (String, f64)> {
    tsv_rows(text)
        .filter_map(|(_, f)| {
            let cas = f.first()?.trim().to_string();
            let v = k_to_c(num(f.get(value_col)?)?);
            let name = name_col
                .and_then(|c| f.get(c))
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            Some((cas, (name, v)))
        })
        .collect()
}

/// Read every table of the wheel.
pub fn read(src: &OpenSource) -> Result<Chemicals, SourceError> {
    Ok(Chemicals {
        version: src.version.to_string(),
        iarc: parse_iarc(&src.read_text(IARC)?),
        ntp: parse_ntp(&src.read_text(NTP)?),
        oel: parse_ontario(&src.read_text(ONTARIO)?)?,
        flammability: {
            let mut v = parse_flammability(&src.read_text(IEC)?, "IEC 60079-20-1", IEC);
            v.extend(parse_flammability(
                &src.read_text(NFPA497)?,
                "NFPA 497",
                NFPA497,
            ));
            v
        },
        dippr_flash_c: simple_map(&src.read_text(DIPPR_FLASH)?, 2, Some(1)),
        boiling_c: simple_map(&src.read_text(YAWS_TB)?, 1, None)
            .into_iter()
            .map(|(k, (_, v))| (k, v))
            .collect(),
        gwp: parse_gwp(&src.read_text(GWP)?),
        odp: parse_odp(&src.read_text(ODP)?),
        identifiers: parse_identifiers(&src.read_text(IDENTIFIERS)?),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn iarc_codes_map_to_groups() {
        let t = "CAS\tdescription\tgroup\tvolumes\tyear\n50-00-0\tFormaldehyde\t1\tSup 7\t2012\n111025-46-8\tPioglitazone\t11\t108\t2016\n";
        let r = parse_iarc(t);
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].group.as_str(), r[1].group.as_str()), ("1", "2A"));
    }

    #[test]
    fn units_convert_once() {
        let t = "CAS\tNames\tT_flash\tT_autoignition\tLFL\tUFL\n60-29-7\tDiethyl ether; (Ether)\t228.15\t448.15\t0.017\t0.392\n";
        let r = parse_flammability(t, "IEC 60079-20-1", IEC);
        assert_eq!(r[0].name, "Diethyl ether");
        assert_eq!(r[0].flash_c, Some(-45.0), "K to °C");
        assert_eq!(r[0].lfl_vol, Some(1.7), "mole fraction to vol %");
        assert_eq!(r[0].ufl_vol, Some(39.2));
    }
}
