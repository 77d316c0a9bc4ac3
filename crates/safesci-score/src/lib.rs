//! Answer extraction, refusal detection, metrics and statistics.
