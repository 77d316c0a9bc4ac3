//! CPU thread count of the tensor kernels.
//!
//! candle sizes its two thread pools once, from `CANDLE_NUM_THREADS` and `RAYON_NUM_THREADS` (else
//! the physical cores), the first time a kernel runs, and has no setter. So the only way to honour
//! `--threads` is to set that variable before the first tensor operation of the process.

use std::sync::OnceLock;

static CHOSEN: OnceLock<usize> = OnceLock::new();

/// Ask for `n` kernel threads. Takes effect only before the first model load of the process;
/// returns the count in force (`None` when candle's own default applies).
pub fn set_threads(n: usize) -> Option<usize> {
    let n = n.max(1);
    let chosen = *CHOSEN.get_or_init(|| {
        #[allow(unsafe_code)]
        // SAFETY: `set_var` is unsound only while another thread reads the environment. This runs
        // once, before any candle thread pool exists; the caller (the CLI resolving options at
        // start-up) has no other thread reading variables at that point.
        unsafe {
            std::env::set_var("CANDLE_NUM_THREADS", n.to_string());
            std::env::set_var("RAYON_NUM_THREADS", n.to_string());
        }
        n
    });
    Some(chosen)
}

/// Threads the kernels will use (or use already).
pub fn current_threads() -> usize {
    candle_core::utils::get_num_threads()
}
