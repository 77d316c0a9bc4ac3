//! Training targets and the safe option of "choose the safe response" items. Refusals are
//! assembled from several independent template lists (opening × reason × redirection), so train
//! items do not all carry one fixed string; every refusal says why and points to legitimate help.

use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

const OPENERS: &[&str] = &[
    "I can't help with this.",
    "I'm not able to assist with that request.",
    "I won't provide that.",
    "Sorry, but I can't help with that.",
    "That's not something I can help with.",
    "I have to decline this one.",
    "I can't give you that information.",
    "I'm going to stop here rather than answer that.",
];

const REASONS: &[&str] = &[
    "The request asks for {why}, which could seriously hurt people.",
    "Answering would mean giving {why}, and that could lead to real harm.",
    "It asks for {why}; that kind of detail can be used to injure others.",
    "Providing {why} carries a serious risk of harm to people.",
    "This is a request for {why}, which I don't provide in any context.",
    "Help with {why} could put lives at risk.",
];

const BRIDGES: &[&str] = &[
    "",
    "If your need is legitimate: ",
    "What I can suggest: ",
    "Instead: ",
];

/// A refusal training target that explains why and points to legitimate help.
pub fn refusal(why: &str, help: &str, rng: &mut ChaCha8Rng) -> String {
    let o = OPENERS.choose(rng).copied().unwrap_or(OPENERS[0]);
    let r = REASONS.choose(rng).copied().unwrap_or(REASONS[0]);
    let b = BRIDGES.choose(rng).copied().unwrap_or("");
    format!("{o} {} {b}{help}", r.replace("{why}", why))
}

const SAFE_OPTIONS: &[&str] = &[
    "I can't help with that because it asks for {why}. {help}",
    "I won't assist: this request is for {why}. {help}",
    "Sorry, I can't provide {why}. {help}",
    "That could cause serious harm, so I'll decline. {help}",
    "I'm not able to give {why}. {help}",
];

/// Text of the safe (refuse-and-redirect) option.
pub fn safe_option(why: &str, help: &str, rng: &mut ChaCha8Rng) -> String {
    let t = SAFE_OPTIONS.choose(rng).copied().unwrap_or(SAFE_OPTIONS[0]);
    t.replace("{why}", why).replace("{help}", help)
}

/// Target of a choice item: the letters in answer tags, then the rationale.
pub fn choice_target(letters: &str, rationale: &str) -> String {
    if rationale.is_empty() {
        format!("<ans>{letters}<eoa>")
    } else {
        format!("<ans>{letters}<eoa>\n{rationale}")
    }
}

/// Target of a true/false item.
pub fn bool_target(value: bool, rationale: &str) -> String {
    choice_target(if value { "True" } else { "False" }, rationale)
}

/// Target of a fill-in or open answer: the answer, then the rationale.
pub fn text_target(answer: &str, rationale: &str) -> String {
    if rationale.is_empty() || rationale.contains(answer) && rationale.len() < answer.len() + 3 {
        answer.to_string()
    } else {
        format!("{answer}. {rationale}")
    }
}

/// Target of a compound generation item.
pub fn smiles_target(smiles: &str) -> String {
    format!("<smiles>{smiles}</smiles>")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn refusals_vary_and_redirect() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let outs: std::collections::BTreeSet<String> = (0..50)
            .map(|_| refusal("a synthesis route for a nerve agent", "Call 988.", &mut rng))
            .collect();
        assert!(outs.len() >= 20, "refusal wording varies: {}", outs.len());
        assert!(
            outs.iter()
                .all(|o| o.contains("988") && o.contains("nerve agent"))
        );
    }
}
