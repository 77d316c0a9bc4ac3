//! Reader for the GHS/CLP hazard and precautionary phrases of mhchem's `hpstatement` (Debian
//! texlive-science): `.deb` (ar) → `data.tar.xz` → `hpstatement-en.inc.sty`, parsed with a regex.
//! Only plain-text English statements are kept (parameterised ones with macros are skipped).

use super::{OpenSource, SourceError};
use regex::Regex;
use std::io::Read;

pub const MEMBER: &str =
    "./usr/share/texlive/texmf-dist/tex/latex/mhchem/hpstatement.inc/hpstatement-en.inc.sty";

#[derive(Debug, Clone, PartialEq)]
pub struct Phrase {
    /// `H300`, `EUH071`, `P210`, `P304+P340`.
    pub code: String,
    pub text: String,
}

/// Parse the LaTeX3 token-list definitions.
pub fn parse(sty: &str) -> Result<Vec<Phrase>, SourceError> {
    let re = Regex::new(
        r"\\tl_gset:cn\{g__mhchem_hp_en_((?:EUH|H|P)[0-9]{3}[A-Za-z]{0,2}(?:\+P[0-9]{3})*)-0_tl\}\{\{[^\n]*\n\s*\\__mhchem_hp_s:nnn\{[0-9]{8}\}\{([^{}\\]+)\}",
    )
    .map_err(|e| SourceError::Parse {
        file: MEMBER.into(),
        line: 0,
        message: e.to_string(),
    })?;
    Ok(re
        .captures_iter(sty)
        .map(|c| Phrase {
            code: c[1].to_string(),
            text: c[2].trim().to_string(),
        })
        .filter(|p| !p.text.is_empty())
        .collect())
}

/// Extract the English phrase file from the `.deb`.
pub fn read(src: &OpenSource) -> Result<Vec<Phrase>, SourceError> {
    let file = std::fs::File::open(&src.path)
        .map_err(|e| src.archive_err("data.tar.xz", e.to_string()))?;
    let mut ar = ar::Archive::new(file);
    while let Some(entry) = ar.next_entry() {
        let mut entry = entry.map_err(|e| src.archive_err("data.tar.xz", e.to_string()))?;
        if !entry.header().identifier().starts_with(b"data.tar.xz") {
            continue;
        }
        let mut compressed = Vec::new();
        entry
            .read_to_end(&mut compressed)
            .map_err(|e| src.archive_err("data.tar.xz", e.to_string()))?;
        let mut tar_bytes = Vec::new();
        lzma_rs::xz_decompress(&mut compressed.as_slice(), &mut tar_bytes)
            .map_err(|e| src.archive_err("data.tar.xz", format!("{e:?}")))?;
        let mut tar = tar::Archive::new(tar_bytes.as_slice());
        let entries = tar
            .entries()
            .map_err(|e| src.archive_err(MEMBER, e.to_string()))?;
        for t in entries {
            let mut t = t.map_err(|e| src.archive_err(MEMBER, e.to_string()))?;
            let path = t
                .path()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            if path.trim_start_matches("./") == MEMBER.trim_start_matches("./") {
                let mut text = String::new();
                t.read_to_string(&mut text)
                    .map_err(|e| src.archive_err(MEMBER, e.to_string()))?;
                return parse(&text);
            }
        }
    }
    Err(src.archive_err(MEMBER, "member not found".into()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn plain_statements_parse() {
        let sty = "\\tl_gset:cn{g__mhchem_hp_en_H300-0_tl}{{H300}{%\n  \\__mhchem_hp_s:nnn{20081216}{Fatal if swallowed.}{}}}%\n\\tl_gset:cn{g__mhchem_hp_en_P304+P340-0_tl}{{P304\\,+\\,\\hskip\\z@skip{}P340}{%\n  \\__mhchem_hp_s:nnn{20150601}{IF INHALED: Remove person to fresh air and keep comfortable for breathing.}{%\n";
        let p = parse(sty).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].code.as_str(), p[0].text.as_str()),
            ("H300", "Fatal if swallowed.")
        );
        assert_eq!(p[1].code, "P304+P340");
    }
}
