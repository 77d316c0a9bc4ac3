//! Size and speed benchmark of the HTML report: a synthetic 250,000-item run written to a run store,
//! loaded back and rendered, with the time of each step and the file size.
//!
//! `cargo run --release -p safesci-report --example big-report -- [ITEMS] [OUT_DIR]`
//! (defaults: 250000 items, a temporary directory). Open `OUT_DIR/report.html` in a browser or time
//! Chromium with the commands in docs/report.md.

use safesci_core::item::Item;
use safesci_report::fixture::{self, Profile};
use safesci_report::{Report, ReportFormat, load_run, render};
use safesci_score::types::ScoringMode;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = match args.next() {
        Some(s) => s.parse()?,
        None => 250_000,
    };
    let out_dir: PathBuf = match args.next() {
        Some(p) => PathBuf::from(p),
        None => std::env::temp_dir().join("safesci-big-report"),
    };
    std::fs::create_dir_all(&out_dir)?;
    let run_dir = out_dir.join("run");
    if run_dir.exists() {
        std::fs::remove_dir_all(&run_dir)?;
    }

    let t = Instant::now();
    let items: Vec<Item> = fixture::items(n);
    let mut profile = Profile::new("synthetic-250k", 0.62, 0.81, 0.17);
    profile.verbosity = 1;
    let data = fixture::run("run", &profile, &items);
    fixture::write_store(&run_dir, &data)?;
    eprintln!(
        "generated and stored {n} scored responses in {:.2?}",
        t.elapsed()
    );
    drop(data);

    let t = Instant::now();
    let run = load_run(&run_dir, ScoringMode::Strict)?;
    let load = t.elapsed();
    let report = Report::new(ScoringMode::Strict, vec![run]);
    let t = Instant::now();
    let html = render(&report, ReportFormat::Html)?;
    let render_time = t.elapsed();
    let path = out_dir.join("report.html");
    std::fs::write(&path, &html)?;
    println!("items: {n}");
    println!("load from run store: {load:.2?}");
    println!("render HTML: {render_time:.2?}");
    println!(
        "HTML size: {} bytes ({:.1} MiB)",
        html.len(),
        html.len() as f64 / (1024.0 * 1024.0)
    );
    println!("written: {}", path.display());
    Ok(())
}
