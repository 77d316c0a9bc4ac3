//! Reader for radionuclide data from `icrp107-database` (ICRP Publication 107): half-life and the
//! emission types each nuclide has. We read its per-nuclide JSON (double-encoded: a JSON string
//! holding JSON) rather than radioactivedecay's `.npz`, whose object arrays are Python pickles.
//! ICRP-07 terms: educational, research and not-for-profit use only.

use super::{OpenSource, SourceError};

pub const PREFIX: &str = "icrp107_database/icrp107/";

/// One radionuclide with its principal emission kinds (yield ≥ 1 %).
#[derive(Debug, Clone, PartialEq)]
pub struct Nuclide {
    pub name: String,
    pub half_life: f64,
    /// ICRP unit code: `ms`, `s`, `m`, `h`, `d`, `y`, `us`.
    pub unit: String,
    pub member: String,
    /// Emission kinds with a total yield of at least 1 % (`alpha`, `beta-`, `beta+`, `gamma`).
    pub emissions: Vec<String>,
    /// The most intense gamma line in MeV, if any above 1 % yield.
    pub main_gamma_mev: Option<f64>,
}

impl Nuclide {
    /// Unit spelled out for questions.
    pub fn unit_word(&self) -> &'static str {
        unit_word(&self.unit)
    }
}

pub fn unit_word(u: &str) -> &'static str {
    match u {
        "y" => "years",
        "d" => "days",
        "h" => "hours",
        "m" => "minutes",
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        _ => "time units",
    }
}

/// Parse one nuclide file (a JSON string containing the JSON object).
pub fn parse_nuclide(member: &str, text: &str) -> Result<Nuclide, SourceError> {
    let err = |m: String| SourceError::Parse {
        file: member.into(),
        line: 1,
        message: m,
    };
    let outer: serde_json::Value = serde_json::from_str(text).map_err(|e| err(e.to_string()))?;
    let inner: serde_json::Value = match outer {
        serde_json::Value::String(s) => serde_json::from_str(&s).map_err(|e| err(e.to_string()))?,
        other => other,
    };
    let name = inner
        .get("name")
        .and_then(|v| v.as_str())
        .ok_or_else(|| err("missing field `name`".into()))?
        .to_string();
    let half_life = inner
        .get("half_life")
        .and_then(|v| v.as_f64())
        .ok_or_else(|| err("missing field `half_life`".into()))?;
    let unit = inner
        .get("time_unit")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();
    let mut emissions = Vec::new();
    let mut main_gamma_mev = None;
    if let Some(em) = inner.get("emissions") {
        for kind in ["alpha", "beta-", "beta+", "gamma"] {
            let lines = em.get(kind).and_then(|v| v.as_array());
            let total: f64 = lines
                .map(|ls| {
                    ls.iter()
                        .filter_map(|l| l.get(1).and_then(|y| y.as_f64()))
                        .sum()
                })
                .unwrap_or(0.0);
            if total >= 0.01 {
                emissions.push(kind.to_string());
            }
            if kind == "gamma" {
                main_gamma_mev = lines.and_then(|ls| {
                    ls.iter()
                        .filter_map(|l| Some((l.get(0)?.as_f64()?, l.get(1)?.as_f64()?)))
                        .filter(|(_, y)| *y >= 0.01)
                        .max_by(|a, b| a.1.total_cmp(&b.1))
                        .map(|(e, _)| e)
                });
            }
        }
    }
    Ok(Nuclide {
        name,
        half_life,
        unit,
        member: member.to_string(),
        emissions,
        main_gamma_mev,
    })
}

/// Read every nuclide file, in name order.
pub fn read(src: &OpenSource) -> Result<Vec<Nuclide>, SourceError> {
    src.read_matching(PREFIX, ".json")?
        .into_iter()
        .map(|(member, text)| parse_nuclide(&member, &text))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn double_encoded_json_parses() {
        let text = r#""{\"name\": \"Co-60\", \"half_life\": 5.2713, \"time_unit\": \"y\", \"emissions\": {\"alpha\": [], \"beta-\": [[0.0958654, 0.9988]], \"gamma\": [[1.17323, 0.9985], [1.33249, 0.999826]]}}""#;
        let n = parse_nuclide("x/Co-60.json", text).unwrap();
        assert_eq!(
            (n.name.as_str(), n.half_life, n.unit.as_str()),
            ("Co-60", 5.2713, "y")
        );
        assert_eq!(n.emissions, vec!["beta-", "gamma"]);
        assert_eq!(n.main_gamma_mev, Some(1.33249));
    }
}
