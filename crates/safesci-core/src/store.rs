//! The run store: one SQLite database (WAL) per run directory, `DIR/run.sqlite`.
//!
//! It holds the run manifest, a snapshot of the items evaluated (so `score` and `report` rerun
//! from disk without the items file), every response committed as it arrives, and the scores
//! written by `safesci score`. Responses are keyed by `(item_id, repeat, mode)`: a finished (`ok`)
//! response is never overwritten, a failed one is replaced by the next attempt, so a resumed run
//! skips exactly what is done whatever order or shard produced it.
//!
//! Other crates add their own tables through [`RunStore::connection`] (the batch table lives in
//! `safesci-run`); the tables here are the contract between eval, score and report.

use crate::item::{Item, ItemId};
use crate::provider::{ChoiceScores, GenerationParams, ProviderInfo, Usage};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Version of the run-store layout.
pub const STORE_SCHEMA_VERSION: u32 = 1;

/// File name of the database inside a run directory.
pub const STORE_FILE: &str = "run.sqlite";

/// Errors of the run store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("failed to create run directory `{path}`")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to open run store `{path}`")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("no run store at `{0}`")]
    Missing(PathBuf),
    #[error("run store query failed")]
    Sql(#[from] rusqlite::Error),
    #[error("run store holds malformed JSON in `{table}` for `{key}`")]
    Json {
        table: &'static str,
        key: String,
        #[source]
        source: serde_json::Error,
    },
    #[error(
        "run store `{path}` has schema version {found}, this safesci reads {STORE_SCHEMA_VERSION}"
    )]
    Version { path: PathBuf, found: u32 },
}

/// How a response was produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    /// Free generation, answer extracted from text.
    Generate,
    /// Log-likelihood over the options.
    Loglik,
}

impl ResponseMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseMode::Generate => "generate",
            ResponseMode::Loglik => "loglik",
        }
    }
    fn parse(s: &str) -> ResponseMode {
        if s == "loglik" {
            ResponseMode::Loglik
        } else {
            ResponseMode::Generate
        }
    }
}

/// Key of one response.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ResponseKey {
    pub item_id: ItemId,
    pub repeat: u32,
    pub mode: ResponseMode,
}

/// Outcome of one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ResponseOutcome {
    /// Text generated (mode `generate`).
    Text { text: String },
    /// Choice log-likelihoods (mode `loglik`).
    Choices { scores: ChoiceScores },
    /// The request failed after retries; retried on the next run.
    Failed { error: String, retryable: bool },
}

/// One stored response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseRecord {
    pub key: ResponseKey,
    pub outcome: ResponseOutcome,
    pub usage: Usage,
    pub latency_ms: u64,
    pub attempts: u32,
    #[serde(default)]
    pub fingerprint: Option<String>,
    #[serde(default)]
    pub cache_hit: bool,
    /// Seconds since the Unix epoch.
    pub created_at: i64,
}

impl ResponseRecord {
    /// A text response with nothing else recorded (no token usage, latency, fingerprint or
    /// timestamp, one attempt): responses brought in from elsewhere, tests and benchmarks.
    pub fn text(key: ResponseKey, text: impl Into<String>) -> ResponseRecord {
        ResponseRecord {
            key,
            outcome: ResponseOutcome::Text { text: text.into() },
            usage: Usage {
                prompt_tokens: 0,
                completion_tokens: 0,
            },
            latency_ms: 0,
            attempts: 1,
            fingerprint: None,
            cache_hit: false,
            created_at: 0,
        }
    }

    pub fn is_ok(&self) -> bool {
        !matches!(self.outcome, ResponseOutcome::Failed { .. })
    }
}

/// What a run evaluated and how: enough to reproduce it and to refuse mixing incompatible runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunManifest {
    pub schema_version: u32,
    pub safesci_version: String,
    /// SHA-256 of the items evaluated (sorted ids), hex.
    pub items_hash: String,
    pub item_count: u64,
    /// Path the items were read from, as given.
    pub items_path: String,
    pub template_version: String,
    pub provider: ProviderInfo,
    pub params: GenerationParams,
    /// Modes requested (generate and/or loglik).
    pub modes: Vec<ResponseMode>,
    pub repeats: u32,
    /// Seed of item sampling, when `--sample` was used.
    #[serde(default)]
    pub sample_seed: Option<u64>,
    #[serde(default)]
    pub system_prompt: Option<String>,
    pub created_at: i64,
    /// Anything else a stage wants recorded (shard, config file, …).
    #[serde(default)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// An open run store.
#[derive(Debug)]
pub struct RunStore {
    conn: Connection,
    path: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS responses (
    item_id TEXT NOT NULL,
    repeat INTEGER NOT NULL,
    mode TEXT NOT NULL,
    ok INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    latency_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    fingerprint TEXT,
    cache_hit INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (item_id, repeat, mode)
);
CREATE TABLE IF NOT EXISTS scores (
    scorer TEXT NOT NULL,
    item_id TEXT NOT NULL,
    repeat INTEGER NOT NULL,
    mode TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (scorer, item_id, repeat, mode)
);
";

impl RunStore {
    /// Open (creating when absent) the store of run directory `dir`.
    pub fn create(dir: &Path) -> Result<RunStore, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        Self::open_file(&dir.join(STORE_FILE))
    }

    /// Open the existing store of run directory `dir`.
    pub fn open(dir: &Path) -> Result<RunStore, StoreError> {
        let path = dir.join(STORE_FILE);
        if !path.is_file() {
            return Err(StoreError::Missing(path));
        }
        Self::open_file(&path)
    }

    fn open_file(path: &Path) -> Result<RunStore, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        // WAL + NORMAL: a committed response survives a killed process; readers never block the writer.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(open_err)?;
        conn.execute_batch(SCHEMA).map_err(open_err)?;
        let store = RunStore {
            conn,
            path: path.to_path_buf(),
        };
        match store.meta("store_schema_version")? {
            None => store.set_meta("store_schema_version", &STORE_SCHEMA_VERSION.to_string())?,
            Some(v) => {
                let found = v.parse().unwrap_or(0);
                if found != STORE_SCHEMA_VERSION {
                    return Err(StoreError::Version {
                        path: path.to_path_buf(),
                        found,
                    });
                }
            }
        }
        Ok(store)
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The underlying connection, for tables owned by other crates.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    pub fn manifest(&self) -> Result<Option<RunManifest>, StoreError> {
        match self.meta("manifest")? {
            None => Ok(None),
            Some(s) => serde_json::from_str(&s)
                .map(Some)
                .map_err(|source| StoreError::Json {
                    table: "meta",
                    key: "manifest".into(),
                    source,
                }),
        }
    }

    pub fn set_manifest(&self, manifest: &RunManifest) -> Result<(), StoreError> {
        let json = serde_json::to_string(manifest).map_err(|source| StoreError::Json {
            table: "meta",
            key: "manifest".into(),
            source,
        })?;
        self.set_meta("manifest", &json)
    }

    /// Snapshot items (existing ids are kept as they are).
    pub fn put_items<'a>(
        &mut self,
        items: impl IntoIterator<Item = &'a Item>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt =
                tx.prepare_cached("INSERT OR IGNORE INTO items (id, json) VALUES (?1, ?2)")?;
            for item in items {
                let json = serde_json::to_string(item).map_err(|source| StoreError::Json {
                    table: "items",
                    key: item.id.0.clone(),
                    source,
                })?;
                stmt.execute(params![item.id.0, json])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Snapshot items given as `(id, JSON)` pairs, the JSON being the item's line as read from
    /// its file (existing ids are kept as they are). For callers that have just read and
    /// validated each line: [`RunStore::items`] parses the JSON back, and re-encoding every item
    /// only to store it was a measurable part of a run's CPU.
    pub fn put_item_json<'a>(
        &mut self,
        items: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt =
                tx.prepare_cached("INSERT OR IGNORE INTO items (id, json) VALUES (?1, ?2)")?;
            for (id, json) in items {
                stmt.execute(params![id, json])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// All items, ordered by id.
    pub fn items(&self) -> Result<Vec<Item>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, json FROM items ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, json) = row?;
            out.push(
                serde_json::from_str(&json).map_err(|source| StoreError::Json {
                    table: "items",
                    key: id,
                    source,
                })?,
            );
        }
        Ok(out)
    }

    /// Keys of finished (successful) responses.
    pub fn finished(&self) -> Result<HashSet<ResponseKey>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT item_id, repeat, mode FROM responses WHERE ok = 1")?;
        let rows = stmt.query_map([], |r| {
            Ok(ResponseKey {
                item_id: ItemId(r.get(0)?),
                repeat: r.get(1)?,
                mode: ResponseMode::parse(&r.get::<_, String>(2)?),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Record responses in one transaction. A successful response already stored is never
    /// replaced; a failure only replaces a failure.
    pub fn record(&mut self, records: &[ResponseRecord]) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        {
            // Cached: the writer calls this for every small batch that arrives.
            let mut stmt = tx.prepare_cached(
                "INSERT INTO responses (item_id, repeat, mode, ok, outcome, prompt_tokens,
                    completion_tokens, latency_ms, attempts, fingerprint, cache_hit, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT(item_id, repeat, mode) DO UPDATE SET
                    ok = excluded.ok, outcome = excluded.outcome,
                    prompt_tokens = excluded.prompt_tokens,
                    completion_tokens = excluded.completion_tokens,
                    latency_ms = excluded.latency_ms,
                    attempts = responses.attempts + excluded.attempts,
                    fingerprint = excluded.fingerprint, cache_hit = excluded.cache_hit,
                    created_at = excluded.created_at
                 WHERE responses.ok = 0",
            )?;
            for rec in records {
                let outcome =
                    serde_json::to_string(&rec.outcome).map_err(|source| StoreError::Json {
                        table: "responses",
                        key: rec.key.item_id.0.clone(),
                        source,
                    })?;
                stmt.execute(params![
                    rec.key.item_id.0,
                    rec.key.repeat,
                    rec.key.mode.as_str(),
                    rec.is_ok(),
                    outcome,
                    rec.usage.prompt_tokens as i64,
                    rec.usage.completion_tokens as i64,
                    rec.latency_ms as i64,
                    rec.attempts,
                    rec.fingerprint,
                    rec.cache_hit,
                    rec.created_at,
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// All responses, ordered by key.
    pub fn responses(&self) -> Result<Vec<ResponseRecord>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT item_id, repeat, mode, outcome, prompt_tokens, completion_tokens, latency_ms,
                    attempts, fingerprint, cache_hit, created_at
             FROM responses ORDER BY item_id, repeat, mode",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                ResponseKey {
                    item_id: ItemId(r.get(0)?),
                    repeat: r.get(1)?,
                    mode: ResponseMode::parse(&r.get::<_, String>(2)?),
                },
                r.get::<_, String>(3)?,
                Usage {
                    prompt_tokens: r.get::<_, i64>(4)? as u64,
                    completion_tokens: r.get::<_, i64>(5)? as u64,
                },
                r.get::<_, i64>(6)? as u64,
                r.get::<_, u32>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, bool>(9)?,
                r.get::<_, i64>(10)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (key, outcome, usage, latency_ms, attempts, fingerprint, cache_hit, created_at) =
                row?;
            let outcome = serde_json::from_str(&outcome).map_err(|source| StoreError::Json {
                table: "responses",
                key: key.item_id.0.clone(),
                source,
            })?;
            out.push(ResponseRecord {
                key,
                outcome,
                usage,
                latency_ms,
                attempts,
                fingerprint,
                cache_hit,
                created_at,
            });
        }
        Ok(out)
    }

    /// Replace every score of `scorer` with `scores` (JSON produced by the scoring stage).
    pub fn replace_scores(
        &mut self,
        scorer: &str,
        scores: &[(ResponseKey, String)],
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM scores WHERE scorer = ?1", [scorer])?;
        {
            let mut stmt = tx.prepare(
                "INSERT INTO scores (scorer, item_id, repeat, mode, json) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for (key, json) in scores {
                stmt.execute(params![
                    scorer,
                    key.item_id.0,
                    key.repeat,
                    key.mode.as_str(),
                    json
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Scores of `scorer` as stored JSON, ordered by key.
    pub fn scores(&self, scorer: &str) -> Result<Vec<(ResponseKey, String)>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT item_id, repeat, mode, json FROM scores WHERE scorer = ?1
             ORDER BY item_id, repeat, mode",
        )?;
        let rows = stmt.query_map([scorer], |r| {
            Ok((
                ResponseKey {
                    item_id: ItemId(r.get(0)?),
                    repeat: r.get(1)?,
                    mode: ResponseMode::parse(&r.get::<_, String>(2)?),
                },
                r.get::<_, String>(3)?,
            ))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str, outcome: ResponseOutcome) -> ResponseRecord {
        ResponseRecord {
            key: ResponseKey {
                item_id: ItemId(id.into()),
                repeat: 0,
                mode: ResponseMode::Generate,
            },
            outcome,
            usage: Usage {
                prompt_tokens: 10,
                completion_tokens: 2,
            },
            latency_ms: 5,
            attempts: 1,
            fingerprint: None,
            cache_hit: false,
            created_at: 0,
        }
    }

    #[test]
    fn ok_response_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = RunStore::create(dir.path()).unwrap();
        let failed = ResponseOutcome::Failed {
            error: "HTTP 500".into(),
            retryable: true,
        };
        store.record(&[rec("a", failed.clone())]).unwrap();
        assert!(
            store.finished().unwrap().is_empty(),
            "a failure is not finished"
        );
        store
            .record(&[rec("a", ResponseOutcome::Text { text: "A".into() })])
            .unwrap();
        store.record(&[rec("a", failed)]).unwrap();
        let all = store.responses().unwrap();
        assert_eq!(all.len(), 1, "one row per key");
        assert_eq!(
            all[0].outcome,
            ResponseOutcome::Text { text: "A".into() },
            "the success must survive a later failure"
        );
        assert_eq!(all[0].attempts, 2, "attempts accumulate until success");
        drop(store);
        let store = RunStore::open(dir.path()).unwrap();
        assert_eq!(
            store.finished().unwrap().len(),
            1,
            "reopened store keeps the response"
        );
    }
}
