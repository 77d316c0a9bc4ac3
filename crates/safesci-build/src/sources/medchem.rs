//! Reader for `medchem`: structural-alert rule descriptions (by rule set) and US DEA schedule
//! membership by compound name. The SMILES column of the schedule rows is read only to exclude
//! those structures from compound generation; it is never emitted.

use super::{OpenSource, SourceError};
use std::collections::BTreeSet;

pub const ALERTS: &str = "medchem/data/common_alerts_collection.csv";
pub const GROUPS: &str = "medchem/data/chemical_groups.csv";

#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub rule_set: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scheduled {
    pub name: String,
    /// Roman numeral I–V.
    pub schedule: String,
}

#[derive(Debug, Clone, Default)]
pub struct Medchem {
    pub alerts: Vec<Alert>,
    pub scheduled: Vec<Scheduled>,
    /// Structures of scheduled compounds, only to keep them out of generation items.
    pub excluded_smiles: BTreeSet<String>,
}

fn csv_err(file: &str, e: &csv::Error) -> SourceError {
    let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
    SourceError::Parse {
        file: file.into(),
        line,
        message: e.to_string(),
    }
}

pub fn parse_alerts(text: &str) -> Result<Vec<Alert>, SourceError> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| csv_err(ALERTS, &e))?.clone();
    let col = |n: &str| headers.iter().position(|h| h == n);
    let (Some(rs), Some(desc)) = (col("rule_set_name"), col("description")) else {
        return Err(SourceError::Parse {
            file: ALERTS.into(),
            line: 1,
            message: "missing column `rule_set_name` or `description`".into(),
        });
    };
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_err(ALERTS, &e))?;
        let (Some(r), Some(d)) = (rec.get(rs), rec.get(desc)) else {
            continue;
        };
        if !r.is_empty() && !d.is_empty() {
            out.push(Alert {
                rule_set: r.to_string(),
                description: d.to_string(),
            });
        }
    }
    Ok(out)
}

pub fn parse_groups(text: &str) -> Result<(Vec<Scheduled>, BTreeSet<String>), SourceError> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut smiles = BTreeSet::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_err(GROUPS, &e))?;
        let group = rec.get(3).unwrap_or("");
        let schedule = match group {
            "schedule_one" => "I",
            "schedule_two" => "II",
            "schedule_three" => "III",
            "schedule_four" => "IV",
            "schedule_five" => "V",
            _ => continue,
        };
        let name = rec.get(0).unwrap_or("").trim();
        if name.is_empty() {
            continue;
        }
        if let Some(s) = rec.get(1).filter(|s| !s.is_empty()) {
            smiles.insert(s.to_string());
        }
        out.push(Scheduled {
            name: name.to_string(),
            schedule: schedule.to_string(),
        });
    }
    Ok((out, smiles))
}

pub fn read(src: &OpenSource) -> Result<Medchem, SourceError> {
    let (scheduled, excluded_smiles) = parse_groups(&src.read_text(GROUPS)?)?;
    Ok(Medchem {
        alerts: parse_alerts(&src.read_text(ALERTS)?)?,
        scheduled,
        excluded_smiles,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn schedules_by_name() {
        let t = "name,smiles,smarts,group,hierarchy\nketamine,[REDACTED],x,schedule_three,a\nhexane,CCCCCC,x,solvents,b\n";
        let (s, smiles) = parse_groups(t).unwrap();
        assert_eq!(
            s,
            vec![Scheduled {
                name: "ketamine".into(),
                schedule: "III".into()
            }]
        );
        assert!(
            smiles.contains("[REDACTED]"),
            "scheduled structures are kept for exclusion"
        );
    }
}
