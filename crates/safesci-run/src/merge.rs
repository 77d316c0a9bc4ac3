//! `safesci merge RUN... -o RUN`: union of runs of the same evaluation (shards from several
//! hosts, or a run continued elsewhere). Runs whose manifests differ in anything but shard,
//! path, version or time are refused. One row per response key: a success beats a failure, and
//! the first success seen wins, so the result has no duplicates.

use crate::RunError;
use crate::session::manifest_differences;
use safesci_core::store::{ResponseKey, ResponseRecord, RunStore};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a merge did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct MergeReport {
    pub inputs: usize,
    pub items: u64,
    pub responses: u64,
    pub failed: u64,
    /// Keys answered in more than one input (kept once).
    pub duplicates: u64,
}

/// Merge `inputs` into the run directory `out` (created when absent; an existing run there must
/// have the same manifest and is merged too).
pub fn merge_runs(inputs: &[PathBuf], out: &Path) -> Result<MergeReport, RunError> {
    let mut stores = Vec::new();
    for dir in inputs {
        let store = RunStore::open(dir)?;
        let manifest = store
            .manifest()?
            .ok_or_else(|| RunError::NoManifest(dir.clone()))?;
        stores.push((dir.clone(), store, manifest));
    }
    let Some((first_dir, _, first)) = stores.first() else {
        return Ok(MergeReport::default());
    };
    for (dir, _, m) in &stores[1..] {
        let diff = manifest_differences(first, m);
        if !diff.is_empty() {
            return Err(RunError::ManifestMismatch {
                dir: dir.clone(),
                differences: format!(
                    "differs from `{}` in {}",
                    first_dir.display(),
                    diff.join(", ")
                ),
            });
        }
    }
    let mut merged = first.clone();
    merged.extra.remove("shard");
    merged.extra.insert(
        "merged_from".into(),
        serde_json::Value::Array(
            inputs
                .iter()
                .map(|p| serde_json::Value::String(p.display().to_string()))
                .collect(),
        ),
    );
    let mut target = RunStore::create(out)?;
    if let Some(existing) = target.manifest()? {
        let diff = manifest_differences(&existing, &merged);
        if !diff.is_empty() {
            return Err(RunError::ManifestMismatch {
                dir: out.to_path_buf(),
                differences: format!("differs from the inputs in {}", diff.join(", ")),
            });
        }
    }
    target.set_manifest(&merged)?;
    let mut report = MergeReport {
        inputs: stores.len(),
        ..MergeReport::default()
    };
    let mut best: BTreeMap<ResponseKey, ResponseRecord> = BTreeMap::new();
    for (_, store, _) in &stores {
        target.put_items(store.items()?.iter())?;
        for rec in store.responses()? {
            match best.get(&rec.key) {
                Some(old) if old.is_ok() => {
                    if rec.is_ok() {
                        report.duplicates += 1;
                    }
                }
                Some(old) if !rec.is_ok() => {
                    // Two failures: keep the later one, attempts add up.
                    let mut rec = rec;
                    rec.attempts += old.attempts;
                    best.insert(rec.key.clone(), rec);
                }
                _ => {
                    best.insert(rec.key.clone(), rec);
                }
            }
        }
    }
    let records: Vec<ResponseRecord> = best.into_values().collect();
    report.failed = records.iter().filter(|r| !r.is_ok()).count() as u64;
    target.record(&records)?;
    report.responses = target.responses()?.len() as u64;
    report.items = target.items()?.len() as u64;
    Ok(report)
}
