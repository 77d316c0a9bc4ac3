//! Content-addressed response cache: one SQLite file shared by all runs
//! (`$SAFESCI_CACHE_DIR/responses.sqlite`, else the XDG cache dir `safesci/responses.sqlite`).
//!
//! The key is the SHA-256 of everything that changes an answer: provider kind, base URL, model and
//! revision, extra body fields, the request (messages + params + seed), the repeat index and the
//! mode. Never the API key. Only successful responses are cached, so failures are retried.

use rusqlite::{Connection, OptionalExtension, params};
use safesci_core::provider::{ProviderInfo, Usage};
use safesci_core::store::{ResponseMode, ResponseOutcome};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Environment variable naming the cache directory.
pub const CACHE_DIR_ENV: &str = "SAFESCI_CACHE_DIR";
/// File name of the cache database.
pub const CACHE_FILE: &str = "responses.sqlite";

/// Cache errors.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("failed to create cache directory `{path}`")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to open response cache `{path}`")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("response cache query failed")]
    Sql(#[from] rusqlite::Error),
    #[error("no cache directory: set `{CACHE_DIR_ENV}`")]
    NoDir,
}

/// Default cache file.
pub fn default_cache_path() -> Result<PathBuf, CacheError> {
    if let Some(dir) = std::env::var_os(CACHE_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join(CACHE_FILE));
    }
    dirs::cache_dir()
        .map(|d| d.join("safesci").join(CACHE_FILE))
        .ok_or(CacheError::NoDir)
}

/// What the cache stores for a key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CachedResponse {
    pub outcome: ResponseOutcome,
    pub usage: Usage,
    #[serde(default)]
    pub fingerprint: Option<String>,
}

/// Cache key of one request.
pub fn cache_key(
    info: &ProviderInfo,
    salt: &str,
    mode: ResponseMode,
    request_json: &str,
    repeat: u32,
) -> String {
    let mut h = Sha256::new();
    let mut put = |s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    put("safesci-cache-1");
    put(&info.kind);
    put(&info.base_url);
    put(&info.model);
    put(&info.revision);
    put(salt);
    put(mode.as_str());
    put(request_json);
    put(&repeat.to_string());
    hex::encode(h.finalize())
}

/// An open cache. Reads go through a mutex-guarded connection; writes are batched by the runner.
#[derive(Debug)]
pub struct ResponseCache {
    conn: Mutex<Connection>,
    path: PathBuf,
}

fn open(path: &Path) -> Result<Connection, CacheError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| CacheError::CreateDir {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let open_err = |source| CacheError::Open {
        path: path.to_path_buf(),
        source,
    };
    let conn = Connection::open(path).map_err(open_err)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(open_err)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(open_err)?;
    // Several runs may share the cache: wait for a writer instead of failing.
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(open_err)?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS responses (
            key TEXT PRIMARY KEY, value TEXT NOT NULL, created_at INTEGER NOT NULL)",
    )
    .map_err(open_err)?;
    Ok(conn)
}

impl ResponseCache {
    pub fn open(path: &Path) -> Result<ResponseCache, CacheError> {
        Ok(ResponseCache {
            conn: Mutex::new(open(path)?),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A second connection for the writer thread.
    pub fn writer(&self) -> Result<CacheWriter, CacheError> {
        Ok(CacheWriter {
            conn: open(&self.path)?,
        })
    }

    pub fn get(&self, key: &str) -> Result<Option<CachedResponse>, CacheError> {
        let conn = match self.conn.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        let value: Option<String> = conn
            .prepare_cached("SELECT value FROM responses WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?;
        // A row this version cannot read is treated as a miss (and overwritten).
        Ok(value.and_then(|v| serde_json::from_str(&v).ok()))
    }

    /// Number of entries.
    pub fn len(&self) -> Result<u64, CacheError> {
        let conn = match self.conn.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        Ok(conn.query_row("SELECT COUNT(*) FROM responses", [], |r| r.get::<_, i64>(0))? as u64)
    }

    pub fn is_empty(&self) -> Result<bool, CacheError> {
        Ok(self.len()? == 0)
    }
}

/// The writing side of the cache, owned by the runner's writer thread.
#[derive(Debug)]
pub struct CacheWriter {
    conn: Connection,
}

impl CacheWriter {
    pub fn put_many(&mut self, entries: &[(String, CachedResponse)]) -> Result<(), CacheError> {
        if entries.is_empty() {
            return Ok(());
        }
        let now = crate::now_secs();
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR REPLACE INTO responses (key, value, created_at) VALUES (?1, ?2, ?3)",
            )?;
            for (key, value) in entries {
                if let Ok(json) = serde_json::to_string(value) {
                    stmt.execute(params![key, json, now])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn info(url: &str) -> ProviderInfo {
        ProviderInfo {
            kind: "openai-compatible".into(),
            model: "m".into(),
            base_url: url.into(),
            revision: String::new(),
        }
    }

    #[test]
    fn key_changes_with_everything_that_changes_answers() {
        let base = cache_key(&info("http://a"), "", ResponseMode::Generate, "{}", 0);
        assert_eq!(
            base,
            cache_key(&info("http://a"), "", ResponseMode::Generate, "{}", 0)
        );
        for other in [
            cache_key(&info("http://b"), "", ResponseMode::Generate, "{}", 0),
            cache_key(&info("http://a"), "x", ResponseMode::Generate, "{}", 0),
            cache_key(&info("http://a"), "", ResponseMode::Loglik, "{}", 0),
            cache_key(&info("http://a"), "", ResponseMode::Generate, "{ }", 0),
            cache_key(&info("http://a"), "", ResponseMode::Generate, "{}", 1),
        ] {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn put_then_get() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ResponseCache::open(&dir.path().join("c.sqlite")).unwrap();
        let value = CachedResponse {
            outcome: ResponseOutcome::Text { text: "hi".into() },
            usage: Usage::default(),
            fingerprint: None,
        };
        assert!(cache.get("k").unwrap().is_none());
        cache
            .writer()
            .unwrap()
            .put_many(&[("k".into(), value.clone())])
            .unwrap();
        assert_eq!(cache.get("k").unwrap(), Some(value));
        assert_eq!(cache.len().unwrap(), 1);
    }
}
