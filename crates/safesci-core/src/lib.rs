//! The SafeSci library: the item model every stage shares, readers and writers of item files,
//! importers of external data, the `Provider` trait that model backends implement, and the SQLite run
//! store that `eval`, `score` and `report` all read and write.
//!
//! Pipeline: sources → [`item::Item`] (items.jsonl) → prompt → [`provider::Provider`] → responses
//! ([`store::RunStore`]) → scores → reports. Stages live in sibling crates (`safesci-build`,
//! `safesci-run`, `safesci-score`, `safesci-report`, `safesci-local`); this crate holds only what
//! they must agree on.

pub mod io;
pub mod item;
pub mod provider;
pub mod store;
