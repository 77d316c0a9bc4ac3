//! Totals of an item file by field, track, format, split and source, plus distinct families.
//! The binary renders these as tables or JSON; this module only counts.

use crate::files::{ItemFileError, for_each_batch, is_parquet, par_map_lines};
use safesci_core::io::{BadItemPolicy, parse_item_line};
use safesci_core::item::{Field, Format, Item, Split, Track};
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

/// What one item contributes to [`Stats`]; taken from the item where it was parsed, so the item
/// itself is freed on the parsing thread.
struct Counted {
    field: Field,
    track: Track,
    format: Format,
    split: Split,
    source: String,
    family: String,
}

impl Counted {
    fn of(item: Item) -> Counted {
        Counted {
            field: item.field,
            track: item.track,
            format: item.format,
            split: item.split,
            source: source_name(&item.provenance.source),
            family: item.family,
        }
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

    fn add_counted(&mut self, c: Counted) {
        self.total += 1;
        bump(&mut self.by_field, c.field.as_str());
        bump(&mut self.by_track, c.track.as_str());
        bump(&mut self.by_format, c.format.as_str());
        bump(&mut self.by_split, c.split.as_str());
        bump(&mut self.by_source, &c.source);
        if self.family_set.insert(c.family) {
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
/// Every item is parsed and validated as [`crate::files::for_each_batch`] does.
pub fn stats_of_file(
    path: &Path,
    policy: BadItemPolicy,
) -> Result<(Stats, Vec<ItemFileError>), ItemFileError> {
    let mut stats = Stats::default();
    if is_parquet(path) {
        let skipped = for_each_batch(path, policy, |batch| {
            for item in &batch {
                stats.add(item);
            }
        })?;
        return Ok((stats, skipped));
    }
    let skipped = par_map_lines(
        path,
        policy,
        |n, text| parse_item_line(path, n, text).map(Counted::of),
        |batch| {
            for c in batch {
                stats.add_counted(c);
            }
        },
    )?;
    Ok((
        stats,
        skipped.into_iter().map(ItemFileError::from).collect(),
    ))
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
