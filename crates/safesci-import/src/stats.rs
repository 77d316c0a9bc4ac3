//! Totals of an item file by field, track, format, split and source, plus distinct families.
//! The binary renders these as tables or JSON; this module only counts.

use crate::files::{ItemFileError, for_each_batch};
use safesci_core::io::BadItemPolicy;
use safesci_core::item::Item;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Counts of one item file. Keys are the snake_case names used in item files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub total: u64,
    pub by_field: BTreeMap<String, u64>,
    pub by_track: BTreeMap<String, u64>,
    pub by_format: BTreeMap<String, u64>,
    pub by_split: BTreeMap<String, u64>,
    /// See [`source_name`].
    pub by_source: BTreeMap<String, u64>,
    /// Number of distinct `family` values.
    pub families: u64,
    #[serde(skip)]
    family_set: HashSet<String>,
}

/// The source an item is counted under: the provenance prefix before `:` plus the first segment
/// after it (`safesci:chem/PubChem/x.json` → `safesci:chem`, `alpaca:lab.json` → `alpaca:lab.json`).
pub fn source_name(source: &str) -> String {
    match source.split_once(':') {
        Some((prefix, rest)) => {
            let first = rest.split('/').next().unwrap_or("");
            if first.is_empty() {
                prefix.to_string()
            } else {
                format!("{prefix}:{first}")
            }
        }
        None if source.is_empty() => "(none)".to_string(),
        None => source.to_string(),
    }
}

fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    if let Some(n) = map.get_mut(key) {
        *n += 1;
    } else {
        map.insert(key.to_string(), 1);
    }
}

impl Stats {
    pub fn add(&mut self, item: &Item) {
        self.total += 1;
        bump(&mut self.by_field, item.field.as_str());
        bump(&mut self.by_track, item.track.as_str());
        bump(&mut self.by_format, item.format.as_str());
        bump(&mut self.by_split, item.split.as_str());
        bump(&mut self.by_source, &source_name(&item.provenance.source));
        if !self.family_set.contains(&item.family) {
            self.family_set.insert(item.family.clone());
            self.families += 1;
        }
    }

    pub fn of_items<'a>(items: impl IntoIterator<Item = &'a Item>) -> Stats {
        let mut s = Stats::default();
        for item in items {
            s.add(item);
        }
        s
    }
}

/// Stats of a JSONL or Parquet file, streamed, plus the bad items skipped under `Skip`.
pub fn stats_of_file(
    path: &Path,
    policy: BadItemPolicy,
) -> Result<(Stats, Vec<ItemFileError>), ItemFileError> {
    let mut stats = Stats::default();
    let skipped = for_each_batch(path, policy, |batch| {
        for item in &batch {
            stats.add(item);
        }
    })?;
    Ok((stats, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_names_keep_prefix_and_first_segment() {
        assert_eq!(source_name("safesci:chem/PubChem/x.json"), "safesci:chem");
        assert_eq!(source_name("alpaca:lab.json"), "alpaca:lab.json");
        assert_eq!(source_name("builder"), "builder");
        assert_eq!(source_name(""), "(none)");
    }
}
