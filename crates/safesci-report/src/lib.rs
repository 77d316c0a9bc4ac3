//! Leaderboards and reports: Markdown, CSV, JSON and a self-contained HTML file.
