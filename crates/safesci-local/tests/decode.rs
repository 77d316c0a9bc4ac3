//! The block-kernel decode path against the candle forward on the same tokens: same argmax and
//! logits within a small fraction of their range, including steps that read keys and values the
//! fast path itself wrote.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use safesci_core::provider::Message;

fn argmax(v: &[f32]) -> usize {
    v.iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)
        .unwrap()
}

/// Largest |a − b| over the logit range of `b`.
fn rel_diff(a: &[f32], b: &[f32]) -> f32 {
    let max = b.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let min = b.iter().copied().fold(f32::INFINITY, f32::min);
    let diff = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0f32, f32::max);
    diff / (max - min)
}

#[test]
fn fast_decode_matches_candle_forward() {
    let mut e = common::engine();
    assert!(
        e.model.fast_decode(),
        "the default mode decodes through the block kernels"
    );
    let prompts = [
        "What is the boiling point of water?",
        "Name the noble gases.",
        "Is sodium chloride flammable? Answer briefly.",
    ];
    let steps = 10;
    for text in prompts {
        let ids = e.prompt_ids(&[Message::user(text)]).unwrap();
        e.reset();
        let first = e.model.forward_last(&ids).unwrap();
        // Greedy continuation through the fast path only (it reads its own cache writes).
        let mut next = argmax(&first) as u32;
        let mut tokens = Vec::new();
        let mut fast = Vec::new();
        for _ in 0..steps {
            tokens.push(next);
            let logits = e.model.decode_next(next).unwrap();
            next = argmax(&logits) as u32;
            fast.push(logits);
        }
        // The same tokens in one candle forward (f32 weights at this row count).
        e.model.truncate(ids.len());
        let all = e.model.forward_all(&tokens).unwrap();
        let vocab = e.model.config.vocab_size;
        let reference = all.to_vec2::<f32>().unwrap();
        for (i, (f, r)) in fast.iter().zip(&reference).enumerate() {
            assert_eq!(f.len(), vocab);
            let d = rel_diff(f, r);
            assert!(
                d < 0.03,
                "`{text}` step {i}: logits differ by {d} of their range"
            );
            let (a, b) = (argmax(f), argmax(r));
            // Identical choice unless the reference itself has a near tie.
            assert!(
                a == b
                    || (r[a] - r[b]).abs()
                        < 0.02 * (r[b] - r.iter().copied().fold(f32::INFINITY, f32::min)),
                "`{text}` step {i}: argmax {a} vs {b}"
            );
        }
        // And one step through each path from the same cache agree on the next token.
        e.model.truncate(ids.len() + steps - 1);
        let last = *tokens.last().unwrap();
        let fast_step = e.model.decode_next(last).unwrap();
        e.model.truncate(ids.len() + steps - 1);
        e.model.set_fast_decode(false);
        let slow_step = e.model.decode_next(last);
        e.model.set_fast_decode(true);
        let slow_step = slow_step.unwrap();
        assert!(
            rel_diff(&fast_step, &slow_step) < 0.03,
            "`{text}`: one step differs"
        );
        assert_eq!(
            argmax(&fast_step),
            argmax(&slow_step),
            "`{text}`: one-step argmax"
        );
    }
    e.reset();
}
