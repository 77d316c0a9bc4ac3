//! Importers (official SafeSci release, alpaca/sharegpt, JSONL/CSV/Parquet tables), Parquet item files and dataset statistics.
