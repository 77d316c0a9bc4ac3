//! Provider batch APIs (half price for big runs): OpenAI (`/files` + `/batches`, JSONL) and
//! Anthropic (`/messages/batches`). Batch ids live in a `batches` table of the run store, and
//! every submitted request in `batch_requests`, so a restarted `submit` never sends a request
//! twice and `status`/`collect` poll what is recorded. `collect` writes results into the same
//! `responses` table as `eval`; a failed line is recorded as a failure and may be resubmitted.

use crate::anthropic::{ANTHROPIC_VERSION, messages_body, parse_messages_response};
use crate::http;
use crate::openai::{chat_body, parse_chat_response};
use crate::runner::{UnitRequest, WorkUnit};
use crate::spec::ApiKey;
use rusqlite::params;
use safesci_core::item::ItemId;
use safesci_core::provider::{Completion, ProviderError, Usage};
use safesci_core::store::{ResponseKey, ResponseMode, ResponseOutcome, ResponseRecord, RunStore};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Errors of the batch commands.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("batch request failed: {0}")]
    Http(ProviderError),
    #[error("batch table query failed")]
    Sql(#[from] rusqlite::Error),
    #[error("failed to write batch file `{path}`")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("unexpected batch API answer: {0}")]
    Remote(String),
    #[error("provider kind `{0}` has no batch API (use openai, openai-compatible or anthropic)")]
    Unsupported(String),
}

/// Which batch API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchApi {
    OpenAi,
    Anthropic,
}

impl BatchApi {
    pub fn as_str(self) -> &'static str {
        match self {
            BatchApi::OpenAi => "openai",
            BatchApi::Anthropic => "anthropic",
        }
    }
}

/// Most requests per batch (OpenAI's limit is 50,000; Anthropic's 100,000).
pub const MAX_PER_BATCH: usize = 50_000;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS batches (
    id TEXT PRIMARY KEY, api TEXT NOT NULL, base_url TEXT NOT NULL, status TEXT NOT NULL,
    requests INTEGER NOT NULL, jsonl TEXT NOT NULL, output TEXT,
    created_at INTEGER NOT NULL, collected INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS batch_requests (custom_id TEXT PRIMARY KEY, batch_id TEXT NOT NULL);
";

/// Create the batch tables in a run store.
pub fn ensure_tables(store: &RunStore) -> Result<(), BatchError> {
    store.connection().execute_batch(SCHEMA)?;
    Ok(())
}

/// A recorded batch.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BatchRow {
    pub id: String,
    pub api: String,
    pub status: String,
    pub requests: u64,
    pub collected: bool,
}

/// Recorded batches, oldest first.
pub fn batches(store: &RunStore) -> Result<Vec<BatchRow>, BatchError> {
    ensure_tables(store)?;
    let mut stmt = store.connection().prepare(
        "SELECT id, api, status, requests, collected FROM batches ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(BatchRow {
            id: r.get(0)?,
            api: r.get(1)?,
            status: r.get(2)?,
            requests: r.get::<_, i64>(3)? as u64,
            collected: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// `custom_id` of a generation request (`[A-Za-z0-9_-]`, as Anthropic requires).
pub fn custom_id(key: &ResponseKey) -> String {
    format!("{}_{}", key.item_id.0, key.repeat)
}

fn parse_custom_id(id: &str) -> Option<ResponseKey> {
    let (item, repeat) = id.rsplit_once('_')?;
    Some(ResponseKey {
        item_id: ItemId(item.to_string()),
        repeat: repeat.parse().ok()?,
        mode: ResponseMode::Generate,
    })
}

/// Talks to one batch API.
#[derive(Debug)]
pub struct BatchClient {
    pub api: BatchApi,
    pub base_url: String,
    pub model: String,
    pub extra_body: Map<String, Value>,
    key: Option<ApiKey>,
    client: reqwest::Client,
    timeout: Duration,
}

impl BatchClient {
    pub fn new(
        api: BatchApi,
        base_url: &str,
        model: &str,
        key: Option<ApiKey>,
        extra_body: Map<String, Value>,
    ) -> Result<BatchClient, BatchError> {
        Ok(BatchClient {
            api,
            base_url: base_url.trim_end_matches('/').to_string(),
            model: model.to_string(),
            extra_body,
            key,
            client: http::client(4).map_err(BatchError::Http)?,
            timeout: Duration::from_secs(300),
        })
    }

    fn auth(&self, b: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let b = b.timeout(self.timeout);
        match (self.api, &self.key) {
            (BatchApi::OpenAi, Some(k)) => b.bearer_auth(k.expose()),
            (BatchApi::Anthropic, Some(k)) => b
                .header("x-api-key", k.expose())
                .header("anthropic-version", ANTHROPIC_VERSION),
            (BatchApi::Anthropic, None) => b.header("anthropic-version", ANTHROPIC_VERSION),
            (BatchApi::OpenAi, None) => b,
        }
    }

    async fn send(&self, b: reqwest::RequestBuilder) -> Result<bytes::Bytes, BatchError> {
        let r = self
            .auth(b)
            .send()
            .await
            .map_err(|e| BatchError::Http(http::transport_error(&e, self.timeout)))?;
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r
            .bytes()
            .await
            .map_err(|e| BatchError::Http(http::transport_error(&e, self.timeout)))?;
        if !(200..300).contains(&status) {
            return Err(BatchError::Http(http::status_error(
                status,
                &headers,
                &String::from_utf8_lossy(&body),
            )));
        }
        Ok(body)
    }

    async fn json(&self, b: reqwest::RequestBuilder) -> Result<Value, BatchError> {
        let body = self.send(b).await?;
        serde_json::from_slice(&body).map_err(|e| BatchError::Remote(format!("invalid JSON: {e}")))
    }

    /// One JSONL line / request entry for a unit.
    fn line(&self, unit: &WorkUnit) -> Option<Value> {
        let UnitRequest::Generate(req) = &unit.request else {
            return None;
        };
        let id = custom_id(&unit.key);
        Some(match self.api {
            BatchApi::OpenAi => json!({"custom_id": id, "method": "POST",
                "url": "/v1/chat/completions", "body": chat_body(&self.model, req, &self.extra_body)}),
            BatchApi::Anthropic => json!({"custom_id": id,
                "params": messages_body(&self.model, req, &self.extra_body)}),
        })
    }

    /// Submit every unit not already in a recorded batch; returns the new batch ids.
    pub async fn submit(
        &self,
        store: &RunStore,
        units: Vec<WorkUnit>,
        dir: &Path,
    ) -> Result<Vec<String>, BatchError> {
        ensure_tables(store)?;
        let conn = store.connection();
        let mut pending = Vec::new();
        {
            let mut seen = conn.prepare("SELECT 1 FROM batch_requests WHERE custom_id = ?1")?;
            for u in &units {
                if !seen.exists([custom_id(&u.key)])?
                    && let Some(line) = self.line(u)
                {
                    pending.push((custom_id(&u.key), line));
                }
            }
        }
        std::fs::create_dir_all(dir).map_err(|source| BatchError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        let mut ids = Vec::new();
        for chunk in pending.chunks(MAX_PER_BATCH) {
            let mut jsonl = String::new();
            for (_, line) in chunk {
                jsonl.push_str(&line.to_string());
                jsonl.push('\n');
            }
            let n = batches(store)?.len() + 1;
            let path = dir.join(format!("batch-{n:04}.jsonl"));
            std::fs::write(&path, &jsonl).map_err(|source| BatchError::Write {
                path: path.clone(),
                source,
            })?;
            let created =
                match self.api {
                    BatchApi::OpenAi => {
                        let part = reqwest::multipart::Part::bytes(jsonl.into_bytes())
                            .file_name(format!("batch-{n:04}.jsonl"));
                        let form = reqwest::multipart::Form::new()
                            .text("purpose", "batch")
                            .part("file", part);
                        let file = self
                            .json(
                                self.client
                                    .post(format!("{}/files", self.base_url))
                                    .multipart(form),
                            )
                            .await?;
                        let file_id = file.get("id").and_then(Value::as_str).ok_or_else(|| {
                            BatchError::Remote("file upload returned no `id`".into())
                        })?;
                        self.json(self.client.post(format!("{}/batches", self.base_url)).json(
                            &json!({
                        "input_file_id": file_id, "endpoint": "/v1/chat/completions",
                        "completion_window": "24h"}),
                        ))
                        .await?
                    }
                    BatchApi::Anthropic => {
                        let requests: Vec<&Value> = chunk.iter().map(|(_, l)| l).collect();
                        self.json(
                            self.client
                                .post(format!("{}/messages/batches", self.base_url))
                                .json(&json!({ "requests": requests })),
                        )
                        .await?
                    }
                };
            let id = created
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| BatchError::Remote("batch creation returned no `id`".into()))?
                .to_string();
            let tx = conn.unchecked_transaction()?;
            tx.execute(
                "INSERT INTO batches (id, api, base_url, status, requests, jsonl, created_at)
                 VALUES (?1, ?2, ?3, 'submitted', ?4, ?5, ?6)",
                params![
                    id,
                    self.api.as_str(),
                    self.base_url,
                    chunk.len() as i64,
                    path.display().to_string(),
                    crate::now_secs()
                ],
            )?;
            {
                let mut ins = tx.prepare(
                    "INSERT OR REPLACE INTO batch_requests (custom_id, batch_id) VALUES (?1, ?2)",
                )?;
                for (cid, _) in chunk {
                    ins.execute(params![cid, id])?;
                }
            }
            tx.commit()?;
            ids.push(id);
        }
        Ok(ids)
    }

    /// Poll every uncollected batch and record its status; returns all batches.
    pub async fn refresh(&self, store: &RunStore) -> Result<Vec<BatchRow>, BatchError> {
        for row in batches(store)?.into_iter().filter(|b| !b.collected) {
            let (status, output) = self.poll(&row.id).await?;
            store.connection().execute(
                "UPDATE batches SET status = ?2, output = COALESCE(?3, output) WHERE id = ?1",
                params![row.id, status, output],
            )?;
        }
        batches(store)
    }

    /// `(status, output location when finished)`.
    async fn poll(&self, id: &str) -> Result<(String, Option<String>), BatchError> {
        match self.api {
            BatchApi::OpenAi => {
                let b = self
                    .json(self.client.get(format!("{}/batches/{id}", self.base_url)))
                    .await?;
                let status = b.get("status").and_then(Value::as_str).unwrap_or("unknown");
                let done = matches!(status, "completed" | "failed" | "expired" | "cancelled");
                let output = b
                    .get("output_file_id")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                Ok((if done { "ended" } else { status }.to_string(), output))
            }
            BatchApi::Anthropic => {
                let b = self
                    .json(
                        self.client
                            .get(format!("{}/messages/batches/{id}", self.base_url)),
                    )
                    .await?;
                let status = b
                    .get("processing_status")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown")
                    .to_string();
                let output = b
                    .get("results_url")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                Ok((status, output))
            }
        }
    }

    /// Ingest the results of every ended, uncollected batch. Returns `(ok, failed)` counts.
    pub async fn collect(&self, store: &mut RunStore) -> Result<(u64, u64), BatchError> {
        let rows = self.refresh(store).await?;
        let (mut ok, mut failed) = (0u64, 0u64);
        for row in rows.iter().filter(|b| !b.collected && b.status == "ended") {
            let output: Option<String> = store.connection().query_row(
                "SELECT output FROM batches WHERE id = ?1",
                [&row.id],
                |r| r.get(0),
            )?;
            let Some(output) = output else { continue };
            let url = match self.api {
                BatchApi::OpenAi => format!("{}/files/{output}/content", self.base_url),
                BatchApi::Anthropic => output,
            };
            let body = self.send(self.client.get(url)).await?;
            let mut records = Vec::new();
            let mut retry_ids = Vec::new();
            for line in String::from_utf8_lossy(&body)
                .lines()
                .filter(|l| !l.trim().is_empty())
            {
                let Ok(v) = serde_json::from_str::<Value>(line) else {
                    continue;
                };
                let Some(cid) = v.get("custom_id").and_then(Value::as_str) else {
                    continue;
                };
                let Some(key) = parse_custom_id(cid) else {
                    continue;
                };
                let result = self.parse_line(&v);
                let record = match result {
                    Ok(c) => {
                        ok += 1;
                        ResponseRecord {
                            key,
                            outcome: ResponseOutcome::Text { text: c.text },
                            usage: c.usage,
                            latency_ms: 0,
                            attempts: 1,
                            fingerprint: c.fingerprint,
                            cache_hit: false,
                            created_at: crate::now_secs(),
                        }
                    }
                    Err(e) => {
                        failed += 1;
                        retry_ids.push(cid.to_string());
                        ResponseRecord {
                            key,
                            outcome: ResponseOutcome::Failed {
                                error: format!("batch: {e}"),
                                retryable: true,
                            },
                            usage: Usage::default(),
                            latency_ms: 0,
                            attempts: 1,
                            fingerprint: None,
                            cache_hit: false,
                            created_at: crate::now_secs(),
                        }
                    }
                };
                records.push(record);
            }
            store
                .record(&records)
                .map_err(|e| BatchError::Remote(format!("failed to record results: {e}")))?;
            let conn = store.connection();
            let tx = conn.unchecked_transaction()?;
            for cid in &retry_ids {
                // Failed lines may be submitted again.
                tx.execute("DELETE FROM batch_requests WHERE custom_id = ?1", [cid])?;
            }
            tx.execute("UPDATE batches SET collected = 1 WHERE id = ?1", [&row.id])?;
            tx.commit()?;
        }
        Ok((ok, failed))
    }

    fn parse_line(&self, v: &Value) -> Result<Completion, String> {
        match self.api {
            BatchApi::OpenAi => {
                let resp = v.get("response").filter(|r| !r.is_null());
                let status = resp
                    .and_then(|r| r.get("status_code"))
                    .and_then(Value::as_u64);
                match (resp, status) {
                    (Some(r), Some(200)) => {
                        let body = r.get("body").cloned().unwrap_or(Value::Null).to_string();
                        parse_chat_response(body.as_bytes()).map_err(|e| e.to_string())
                    }
                    _ => Err(v
                        .get("error")
                        .and_then(|e| e.get("message"))
                        .and_then(Value::as_str)
                        .unwrap_or("request failed")
                        .to_string()),
                }
            }
            BatchApi::Anthropic => {
                let result = v.get("result");
                if result.and_then(|r| r.get("type")).and_then(Value::as_str) == Some("succeeded") {
                    let msg = result
                        .and_then(|r| r.get("message"))
                        .cloned()
                        .unwrap_or(Value::Null)
                        .to_string();
                    parse_messages_response(msg.as_bytes()).map_err(|e| e.to_string())
                } else {
                    Err(result
                        .and_then(|r| r.get("error"))
                        .and_then(|e| e.get("message"))
                        .and_then(Value::as_str)
                        .unwrap_or("request errored")
                        .to_string())
                }
            }
        }
    }
}
