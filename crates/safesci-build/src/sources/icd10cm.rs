//! Reader for `simple-icd-10-cm`: the CDC ICD-10-CM tabular XML (April 2026). We keep codes in the
//! safety-relevant ranges only: T36–T65 (poisoning, toxic effects), F01–F99 (mental and
//! behavioural), X71–X83 (intentional self-harm) and A00–B99 (infectious diseases).

use super::{OpenSource, SourceError};
use regex::Regex;

pub const XML: &str = "simple_icd_10_cm/data/icd10c-tabular-April-1-2026.xml";

/// Which safety range a code belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IcdRange {
    Poisoning,
    ToxicEffect,
    Mental,
    SelfHarm,
    Infectious,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IcdCode {
    pub code: String,
    pub desc: String,
    pub range: IcdRange,
}

/// Range of a code, or `None` when outside the ranges we use.
pub fn range_of(code: &str) -> Option<IcdRange> {
    let letter = code.chars().next()?;
    let num: u32 = code.get(1..3)?.parse().ok()?;
    match letter {
        'T' if (36..=50).contains(&num) => Some(IcdRange::Poisoning),
        'T' if (51..=65).contains(&num) => Some(IcdRange::ToxicEffect),
        'F' => Some(IcdRange::Mental),
        'X' if (71..=83).contains(&num) => Some(IcdRange::SelfHarm),
        'A' | 'B' => Some(IcdRange::Infectious),
        _ => None,
    }
}

/// Parse `<diag><name>…</name><desc>…</desc>` pairs. Codes with a 7th character extension are
/// not in the tabular list; we also drop 6-character placeholders (`T40.1X`) that repeat a parent.
pub fn parse(xml: &str) -> Result<Vec<IcdCode>, SourceError> {
    let re =
        Regex::new(r"<diag[^>]*>\s*<name>([A-Z][0-9][0-9A-Z.]*)</name>\s*<desc>([^<]+)</desc>")
            .map_err(|e| SourceError::Parse {
                file: XML.into(),
                line: 0,
                message: e.to_string(),
            })?;
    let mut out: Vec<IcdCode> = Vec::new();
    for cap in re.captures_iter(xml) {
        let code = cap[1].to_string();
        if code.ends_with('X') {
            continue;
        }
        if let Some(range) = range_of(&code) {
            let desc = cap[2]
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&apos;", "'")
                .replace("&quot;", "\"");
            out.push(IcdCode { code, desc, range });
        }
    }
    Ok(out)
}

pub fn read(src: &OpenSource) -> Result<Vec<IcdCode>, SourceError> {
    parse(&src.read_text(XML)?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn keeps_safety_ranges_only() {
        let xml = "<diag><name>T40.1</name><desc>Poisoning by and adverse effect of heroin</desc><diag placeholder=\"true\"><name>T40.1X</name><desc>x</desc></diag></diag><diag><name>K35</name><desc>Acute appendicitis</desc></diag><diag><name>F32.0</name><desc>Major depressive disorder, single episode, mild</desc></diag>";
        let codes = parse(xml).unwrap();
        let names: Vec<&str> = codes.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(names, vec!["T40.1", "F32.0"]);
        assert_eq!(codes[0].range, IcdRange::Poisoning);
    }
}
