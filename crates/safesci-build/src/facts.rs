//! Curated public fact tables (`data/facts/*.csv`), embedded at compile time by `build.rs` so the
//! binary needs no checkout. A table that was not present when the crate was built is reported as
//! [`FactsError::Missing`] — generators skip it and the manifest lists it as missing.

use std::collections::BTreeMap;

include!(concat!(env!("OUT_DIR"), "/embedded_facts.rs"));

/// Columns of the question-per-row tables (lab safety, psychology safety).
const QA_COLUMNS: &[&str] = &[
    "topic",
    "fact_id",
    "question",
    "correct",
    "distractor1",
    "distractor2",
    "distractor3",
    "citation",
];

/// Every table the builder knows, with its required columns (the last is always `citation`).
pub const TABLES: &[(&str, &[&str])] = &[
    (
        "ghs_hazard_statements.csv",
        &[
            "code",
            "statement",
            "hazard_class",
            "category",
            "pictogram",
            "signal_word",
            "hazard_group",
            "citation",
        ],
    ),
    (
        "ghs_pictograms.csv",
        &["code", "symbol", "hazard_classes", "citation"],
    ),
    (
        "acute_toxicity_categories.csv",
        &["route", "category", "lower", "upper", "unit", "citation"],
    ),
    (
        "un_transport_classes.csv",
        &["class", "division", "name", "example", "citation"],
    ),
    (
        "nfpa704.csv",
        &["quadrant", "rating", "meaning", "citation"],
    ),
    (
        "occupational_limits.csv",
        &[
            "chemical",
            "cas",
            "osha_pel_twa",
            "osha_pel_unit",
            "niosh_rel_twa",
            "niosh_rel_unit",
            "niosh_idlh",
            "niosh_idlh_unit",
            "citation",
        ],
    ),
    (
        "biosafety_levels.csv",
        &[
            "level",
            "description",
            "example_agents",
            "practices",
            "citation",
        ],
    ),
    (
        "risk_groups.csv",
        &["agent", "kind", "risk_group", "citation"],
    ),
    (
        "controlled_lists.csv",
        &["list", "name", "kind", "citation"],
    ),
    (
        "radiation_limits.csv",
        &[
            "quantity",
            "population",
            "limit",
            "unit",
            "authority",
            "citation",
        ],
    ),
    (
        "radiation_weighting.csv",
        &["kind", "name", "factor", "citation"],
    ),
    ("antidotes.csv", &["toxin", "antidote", "citation"]),
    ("lab_safety.csv", QA_COLUMNS),
    ("psychology_safety.csv", QA_COLUMNS),
    (
        "risk_entities.csv",
        &[
            "entity",
            "field",
            "kind",
            "risk_category",
            "regulatory_status",
            "exposure_signs",
            "first_aid",
            "citation",
        ],
    ),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    #[error("fact table `{0}` is not present (not yet written when this safesci was built)")]
    Missing(String),
    #[error("failed to parse `{file}` line {line} column {column}: {message}")]
    Parse {
        file: String,
        line: u64,
        column: String,
        message: String,
    },
}

/// One parsed row: cells by column name, plus its 1-based line for error messages and provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: u64,
    pub cells: BTreeMap<String, String>,
}

impl Row {
    /// Cell text, trimmed; empty when the column is absent or blank.
    pub fn get(&self, column: &str) -> &str {
        self.cells.get(column).map(|s| s.trim()).unwrap_or("")
    }

    pub fn citation(&self) -> &str {
        self.get("citation")
    }
}

/// A parsed table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub rows: Vec<Row>,
    /// sha256 of the file text (recorded in the manifest).
    pub sha256: String,
}

/// Parse a fact table, checking its header against [`TABLES`] and that every row has a citation.
pub fn parse_table(name: &str, text: &str) -> Result<Table, FactsError> {
    let required: &[&str] = TABLES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| *c)
        .unwrap_or(&["citation"]);
    let perr = |line: u64, column: &str, message: String| FactsError::Parse {
        file: name.into(),
        line,
        column: column.into(),
        message,
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| perr(1, "-", e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect::<Vec<_>>();
    for col in required {
        if !headers.iter().any(|h| h == col) {
            return Err(perr(1, col, "missing column".into()));
        }
    }
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            perr(line, "-", e.to_string())
        })?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let cells: BTreeMap<String, String> = headers
            .iter()
            .cloned()
            .zip(rec.iter().map(str::to_string))
            .collect();
        let row = Row { line, cells };
        if row.citation().is_empty() {
            return Err(perr(line, "citation", "empty citation".into()));
        }
        rows.push(row);
    }
    use sha2::Digest;
    Ok(Table {
        name: name.into(),
        rows,
        sha256: hex::encode(sha2::Sha256::digest(text.as_bytes())),
    })
}

/// The fact tables available to a build.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub tables: BTreeMap<String, Table>,
    /// Tables that could not be used, with the reason.
    pub missing: BTreeMap<String, String>,
}

impl Facts {
    /// Load from `(name, text)` pairs (the embedded set, or test fixtures).
    pub fn from_files(files: &[(&str, &str)]) -> Result<Facts, FactsError> {
        let mut facts = Facts::default();
        for (name, _) in TABLES {
            match files.iter().find(|(n, _)| n == name) {
                Some((_, text)) => {
                    let t = parse_table(name, text)?;
                    facts.tables.insert((*name).to_string(), t);
                }
                None => {
                    facts.missing.insert(
                        (*name).to_string(),
                        FactsError::Missing((*name).into()).to_string(),
                    );
                }
            }
        }
        Ok(facts)
    }

    /// The tables compiled into this binary.
    pub fn embedded() -> Result<Facts, FactsError> {
        Facts::from_files(EMBEDDED_FACTS)
    }

    /// A table's rows, or an error naming the missing table.
    pub fn table(&self, name: &str) -> Result<&Table, FactsError> {
        self.tables
            .get(name)
            .ok_or_else(|| FactsError::Missing(name.into()))
    }

    /// Rows of a table, empty when missing (generators skip quietly; the manifest says why).
    pub fn rows(&self, name: &str) -> &[Row] {
        self.tables
            .get(name)
            .map(|t| t.rows.as_slice())
            .unwrap_or(&[])
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn missing_table_is_an_error_tests_can_see() {
        let f = Facts::from_files(&[]).unwrap();
        assert_eq!(
            f.table("antidotes.csv").unwrap_err(),
            FactsError::Missing("antidotes.csv".into())
        );
        assert!(f.missing.contains_key("antidotes.csv"));
    }

    #[test]
    fn bad_row_names_file_line_and_column() {
        let t = "toxin,antidote,citation\ncyanide,hydroxocobalamin,WHO\nmethanol,fomepizole,\n";
        let err = parse_table("antidotes.csv", t).unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed to parse `antidotes.csv` line 3 column citation: empty citation"
        );
        let t = "toxin,antidote\nx,y\n";
        assert!(
            parse_table("antidotes.csv", t)
                .unwrap_err()
                .to_string()
                .contains("column citation: missing column")
        );
    }

    #[test]
    fn embedded_tables_parse() {
        // Whatever tables exist at build time must parse cleanly.
        let f = Facts::embedded().unwrap();
        assert_eq!(f.tables.len() + f.missing.len(), TABLES.len());
    }
}
