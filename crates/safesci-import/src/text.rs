//! Small text helpers shared by the alpaca and table importers: option lines and letter sets.

use regex::Regex;
use std::sync::LazyLock;

/// An option line: `A. text`, `A) text`, `(A) text`, `A: text` (letters A–J).
static OPTION_LINE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^\s*(?:\(([A-J])\)|([A-J])\s*[.)．:：])\s*(.*?)\s*$").ok());

/// Split a prompt into the question (text before the options) and the options, when the prompt
/// has option lines labelled A, B, C… in order. Lines after the last option are dropped (they
/// are usually an instruction such as "answer with the letter").
pub fn split_options(prompt: &str) -> Option<(String, Vec<String>)> {
    let re = OPTION_LINE.as_ref()?;
    let lines: Vec<&str> = prompt.lines().collect();
    let mut start = None;
    let mut options = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(c) = re.captures(line) else {
            if start.is_some() && !line.trim().is_empty() && options.len() >= 2 {
                break;
            }
            continue;
        };
        let label = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
        let expected = char::from(b'A' + options.len() as u8).to_string();
        if label == "A" && start.is_none() {
            start = Some(i);
            options.clear();
        }
        if start.is_some() && label == expected {
            options.push(c.get(3).map_or("", |m| m.as_str()).to_string());
        } else if start.is_some() && options.len() >= 2 {
            break;
        }
    }
    let start = start?;
    if options.len() < 2 {
        return None;
    }
    let question = lines[..start].join("\n").trim().to_string();
    Some((question, options))
}

/// Upper-case letters A–J of a compact answer (`"AC"`, `"A, C"`, `"a;c"`), or `None` when the
/// text is anything else.
pub fn letter_set(text: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for c in text.chars() {
        match c {
            'A'..='J' | 'a'..='j' => out.push(c.to_ascii_uppercase().to_string()),
            ',' | ';' | ' ' | '\t' | '&' | '/' => {}
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn options_in_three_label_styles() {
        for prompt in [
            "Which glove?\nA. Latex\nB. Nitrile\nC) Cotton\n(D) None\nAnswer with a letter.",
            "Which glove?\n(A) Latex\n(B) Nitrile\n(C) Cotton\n(D) None",
        ] {
            let (q, o) = split_options(prompt).unwrap();
            assert_eq!(q, "Which glove?", "{prompt}");
            assert_eq!(o, ["Latex", "Nitrile", "Cotton", "None"], "{prompt}");
        }
        assert!(split_options("No options here.\nA. only one").is_none());
    }

    #[test]
    fn letter_sets() {
        assert_eq!(letter_set("a, C").unwrap(), ["A", "C"]);
        assert!(letter_set("Nitrile").is_none());
        assert!(letter_set("").is_none());
    }
}
