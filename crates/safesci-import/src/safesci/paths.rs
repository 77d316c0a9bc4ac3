//! What a normalised source path says about its items: the field, the family stem, and the
//! source name of a per-source file read directly.

use safesci_core::item::Field;
use std::path::Path;

/// Field from the path: the first segment (`chem/…` → chemistry), or for `automated/` files the
/// key before the first `.` of the file name (`DailyMed…` → medicine). Unknown → general.
pub fn field_of(normalised: &str) -> Field {
    let mut segments = normalised.split('/');
    let first = segments.next().unwrap_or("");
    if first == "automated" {
        let name = normalised.rsplit('/').next().unwrap_or("");
        let key = name.split('.').next().unwrap_or("");
        return automated_field(key);
    }
    match first {
        "chem" => Field::Chemistry,
        "bio" => Field::Biology,
        "med" => Field::Medicine,
        "material" => Field::Materials,
        "physics" => Field::Physics,
        "engineer" => Field::Engineering,
        "psycho" => Field::Psychology,
        _ => Field::General,
    }
}

fn automated_field(key: &str) -> Field {
    const KEYS: [(&str, Field); 10] = [
        ("DailyMed", Field::Medicine),
        ("medical_txt", Field::Medicine),
        ("Haz_Map", Field::Medicine),
        ("bio_txt", Field::Biology),
        ("UniProt", Field::Biology),
        ("PubChem", Field::Chemistry),
        ("fuel_txt", Field::Physics),
        ("nuclear_txt", Field::Physics),
        ("engineer_txt", Field::Engineering),
        ("psycho_txt", Field::Psychology),
    ];
    KEYS.iter()
        .find(|(k, _)| key.starts_with(k))
        .map_or(Field::General, |(_, f)| *f)
}

/// The stem shared by every variant of one source: `chem/PubChem/CAMEO_toxicity_query` for
/// `chem/PubChem/CAMEO_toxicity_query_scq_sampled.json`, its `_mcq`, `_tf` and raw siblings.
pub fn family_stem(normalised: &str) -> String {
    let base = normalised
        .strip_suffix(".jsonl")
        .or_else(|| normalised.strip_suffix(".json"))
        .unwrap_or(normalised);
    base.split('_')
        .filter(|t| !matches!(*t, "sampled" | "scq" | "mcq" | "tf" | "tfq"))
        .collect::<Vec<_>>()
        .join("_")
}

/// Source name for items of a file read directly (records without `source_file`): the path
/// from below its last `data/` or `data_v2/` directory, else relative to `root`, else the name.
pub fn source_for_file(root: &Path, file: &Path) -> String {
    let parts: Vec<String> = file
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if let Some(pos) = parts.iter().rposition(|p| p == "data" || p == "data_v2") {
        return parts[pos + 1..].join("/");
    }
    if let Ok(rel) = file.strip_prefix(root)
        && !rel.as_os_str().is_empty()
    {
        return rel.to_string_lossy().replace('\\', "/");
    }
    file.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_from_first_segment_and_automated_key() {
        let cases = [
            ("chem/PubChem/a_scq_sampled.json", Field::Chemistry),
            ("bio/UniProt/a.json", Field::Biology),
            ("med/DrugBank/a.json", Field::Medicine),
            (
                "material/Material Safety Data Sheets/a.json",
                Field::Materials,
            ),
            ("physics/fuel_wiki_scq_sampled.json", Field::Physics),
            ("engineer/cti_scq_sampled.json", Field::Engineering),
            ("psycho/psycho_wiki_scq_sampled.json", Field::Psychology),
            (
                "automated/DailyMed_3.malicious+x.KI_questions.json",
                Field::Medicine,
            ),
            (
                "automated/Haz_Map.malicious.KI_questions.json",
                Field::Medicine,
            ),
            (
                "automated/nuclear_txt.malicious.KI_questions.json",
                Field::Physics,
            ),
            (
                "automated/PubChem.malicious.KI_questions.json",
                Field::Chemistry,
            ),
            (
                "automated/psycho_txt.malicious.KI_questions.json",
                Field::Psychology,
            ),
            ("automated/unknown.KI_questions.json", Field::General),
            ("elsewhere/a.json", Field::General),
        ];
        for (path, field) in cases {
            assert_eq!(field_of(path), field, "field of {path}");
        }
    }

    #[test]
    fn variants_share_a_family_stem() {
        let stem = "chem/PubChem/CAMEO_toxicity_query";
        for p in [
            "chem/PubChem/CAMEO_toxicity_query_scq_sampled.json",
            "chem/PubChem/CAMEO_toxicity_query_mcq_sampled.json",
            "chem/PubChem/CAMEO_toxicity_query.json",
        ] {
            assert_eq!(family_stem(p), stem, "stem of {p}");
        }
        assert_eq!(
            family_stem(
                "chem/ord-data/predict_reactant_of_hazardous_compound_scq_catalyst_sampled.json"
            ),
            "chem/ord-data/predict_reactant_of_hazardous_compound_catalyst"
        );
    }

    #[test]
    fn direct_files_are_named_from_below_data() {
        let root = Path::new("/x/release");
        assert_eq!(
            source_for_file(root, Path::new("/x/release/data/chem/PubChem/a.json")),
            "chem/PubChem/a.json"
        );
        assert_eq!(
            source_for_file(root, Path::new("/x/release/chem/a.json")),
            "chem/a.json"
        );
    }
}
