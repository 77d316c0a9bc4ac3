//! Benchmark of a full build without the CLI (fewer dependencies to compile in release):
//! `cargo run --release -p safesci-build --example full_build -- OUT_DIR [seed]`, timed with
//! `/usr/bin/time -v`. Reads the source cache like `safesci build` and the compiled-in facts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use safesci_build::assemble::{BuildParams, Scale};
use safesci_build::sources::{SourceSet, Verification, default_cache_dir};

fn main() {
    let mut args = std::env::args().skip(1);
    let out = std::path::PathBuf::from(
        args.next()
            .expect("usage: full_build OUT_DIR [seed] [small|full]"),
    );
    let seed: u64 = args
        .next()
        .map(|s| s.parse().expect("seed"))
        .unwrap_or(20260301);
    let scale: Scale = args
        .next()
        .map(|s| s.parse().expect("scale"))
        .unwrap_or(Scale::Full);
    let t = std::time::Instant::now();
    let set = SourceSet::open(&default_cache_dir().unwrap(), Verification::Pinned).unwrap();
    let facts = safesci_build::facts::Facts::embedded().unwrap();
    let inputs = safesci_build::load_inputs(&set, facts).unwrap();
    let t_load = t.elapsed();
    let m = safesci_build::build(&set, &inputs, &BuildParams { out, scale, seed }).unwrap();
    eprintln!(
        "load {:.1}s, total {:.1}s; bench {} items / {} families; train {} items / {} families; families {}",
        t_load.as_secs_f64(),
        t.elapsed().as_secs_f64(),
        m.outcome.bench.items,
        m.outcome.bench.families,
        m.outcome.train.items,
        m.outcome.train.families,
        m.outcome.families_total
    );
    let tm = &m.outcome.timings;
    eprintln!(
        "phases: families {:.2}s, bench split {:.2}s, train split {:.2}s, writer busy {:.2}s",
        tm.families_s, tm.bench_s, tm.train_s, tm.writer_busy_s
    );
}
