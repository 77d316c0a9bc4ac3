//! Reader for `pypgx`: the CPIC gene–drug table (CPIC level, FDA label status).

use super::{OpenSource, SourceError};

pub const CPIC: &str = "pypgx/api/data/cpic-table.csv";

#[derive(Debug, Clone, PartialEq)]
pub struct GeneDrug {
    pub gene: String,
    pub drug: String,
    pub cpic_level: String,
    /// FDA label status (`Testing required`, `Actionable PGx`, …), empty when none.
    pub fda_label: String,
}

pub fn parse(text: &str) -> Result<Vec<GeneDrug>, SourceError> {
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| SourceError::Parse {
            file: CPIC.into(),
            line: e.position().map(|p| p.line() as usize).unwrap_or(0),
            message: e.to_string(),
        })?;
        let get = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
        let g = GeneDrug {
            gene: get(0),
            drug: get(1),
            cpic_level: get(5),
            fda_label: get(8),
        };
        if !g.gene.is_empty() && !g.drug.is_empty() && !g.cpic_level.is_empty() {
            out.push(g);
        }
    }
    Ok(out)
}

pub fn read(src: &OpenSource) -> Result<Vec<GeneDrug>, SourceError> {
    parse(&src.read_text(CPIC)?)
}
