//! temp profiling
use safesci_score::refusal;
fn main() {
    let n: usize = std::env::args().nth(1).unwrap().parse().unwrap();
    let text = std::env::args().nth(2).unwrap();
    let mut s = 0;
    for _ in 0..n {
        s += refusal::classify(&text, None).cues.len();
    }
    eprintln!("{s}");
}
