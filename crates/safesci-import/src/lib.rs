//! Importers (official SafeSci release, alpaca/sharegpt, JSONL/CSV/Parquet tables), Parquet item
//! files and dataset statistics.
//!
//! Every importer turns its input into [`safesci_core::item::Item`]s and returns them with the
//! bad records it skipped; nothing here prints or writes except the item-file writers.
//! To add an importer: one file (or folder) with its own `thiserror` enum whose messages name the
//! file and the record, a `*Options` struct, and a function returning items; then a subcommand in
//! `crates/safesci/src/commands/import.rs`.

pub mod alpaca;
pub mod files;
pub mod json;
pub mod parquet;
pub mod safesci;
pub mod stats;
pub mod table;
mod text;

pub use files::{ItemFileError, read_any, write_any};
pub use stats::Stats;

use sha2::{Digest, Sha256};

/// Family key shared by every variant of one question: a hash of the source stem and the
/// question with case, spacing and closing punctuation ignored.
pub fn family_key(stem: &str, question: &str) -> String {
    let normalised = question
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let normalised = normalised.trim_end_matches(['?', '.', '!', ':', ' ']);
    let mut h = Sha256::new();
    h.update(stem.as_bytes());
    h.update(b"\n");
    h.update(normalised.as_bytes());
    format!("f{}", hex::encode(&h.finalize()[..6]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn family_ignores_case_spacing_and_closing_punctuation() {
        let a = family_key("chem/x", "Is  acetone flammable?");
        assert_eq!(a, family_key("chem/x", "is acetone flammable"));
        assert_ne!(
            a,
            family_key("chem/y", "is acetone flammable"),
            "stem counts"
        );
        assert_ne!(
            a,
            family_key("chem/x", "is ethanol flammable"),
            "question counts"
        );
    }
}
