//! Knowledge families from the registry packages: IARC/NTP (chemistry), exposure limits and flash
//! points (materials), flammability classes, autoignition and explosive limits (engineering),
//! GWP/ODP and structural alerts (chemistry), radionuclides (physics), ICD-10-CM (medicine,
//! biology, psychology), DEA schedules by name and CPIC gene–drug pairs (medicine, biology), and
//! GHS phrases (chemistry). Every value question names its source.

use super::numeric::{celsius_distractors, fmt_celsius, fmt_num, ratio_distractors};
use super::{Body, Family, Inputs, Knowledge, Multi, distinct_except, prov};
use crate::sources::chemicals;
use crate::sources::icd10cm::IcdRange;
use safesci_core::item::Field;
use std::collections::BTreeMap;

pub(crate) const IARC_CITE: &str = "IARC Monographs list of classifications (2020 snapshot)";
const NTP_CITE: &str = "NTP Report on Carcinogens";
pub(crate) const ONT_CITE: &str = "Ontario Regulation 833, occupational exposure limits";
const GWP_CITE: &str = "IPCC AR6 WG1, global warming potentials (2021)";
const ODP_CITE: &str = "WMO Scientific Assessment of Ozone Depletion";
pub(crate) const ICRP_CITE: &str =
    "ICRP Publication 107: Nuclear Decay Data for Dosimetric Calculations (2008)";
pub(crate) const ICD_CITE: &str = "ICD-10-CM Tabular List, April 1 2026 (CDC/NCHS)";
pub(crate) const DEA_CITE: &str =
    "US Controlled Substances Act schedules, 21 CFR 1308 (as listed in medchem 2.1.1)";
pub(crate) const CPIC_CITE: &str =
    "Clinical Pharmacogenetics Implementation Consortium gene–drug table";
const CLP_CITE: &str =
    "Regulation (EC) No 1272/2008 (CLP) wording via mhchem hpstatement, CC BY 4.0";
const NFPA30_CITE: &str =
    "NFPA 30 flammable and combustible liquid classes (derived from flash and boiling points)";
const GHS_FLAM_CITE: &str = "UN GHS Rev.10 chapter 2.6, flammable liquid categories (derived from flash and boiling points)";
const ATEX_CITE: &str =
    "IEC 60079-0 temperature classes T1–T6 (derived from autoignition temperature)";

pub fn families(inputs: &Inputs) -> Vec<Family> {
    let mut out = Vec::new();
    if let Some(c) = &inputs.chemicals {
        chemicals_families(c, &mut out);
    }
    if let Some((v, n)) = &inputs.nuclides {
        nuclide_families(v, n, &mut out);
    }
    if let Some((v, codes)) = &inputs.icd {
        icd_families(v, codes, &mut out);
    }
    if let Some((v, m)) = &inputs.medchem {
        medchem_families(v, m, &mut out);
    }
    if let Some((v, c)) = &inputs.cpic {
        cpic_families(v, c, &mut out);
    }
    if let Some((v, p)) = &inputs.phrases {
        phrase_families(v, p, &mut out);
    }
    out
}

/// Single-answer fact helper: questions, answer, distractors, claim template with `{}` for the
/// value, cloze sentences. False claims are made from the distractors.
#[allow(clippy::too_many_arguments)]
pub(crate) fn fact(
    questions: Vec<String>,
    answer: &str,
    unit: Option<&str>,
    distractors: Vec<String>,
    claim: &str,
    blanks: Vec<String>,
    rationale: String,
) -> Knowledge {
    let show = |v: &str| match unit {
        Some(u) => format!("{v} {u}"),
        None => v.to_string(),
    };
    let distractors = distinct_except(answer, distractors);
    let mut claims = vec![(claim.replace("{}", &show(answer)), true)];
    claims.extend(
        distractors
            .iter()
            .take(3)
            .map(|d| (claim.replace("{}", &show(d)), false)),
    );
    Knowledge {
        questions,
        answer: show(answer),
        accepted: if unit.is_some() {
            vec![answer.to_string()]
        } else {
            Vec::new()
        },
        unit: None,
        distractors: distractors.iter().map(|d| show(d)).collect(),
        claims,
        blanks,
        multi: Vec::new(),
        rationale,
        reverse: None,
    }
}

pub(crate) fn fam(
    key: String,
    field: Field,
    source: String,
    version: &str,
    record: &str,
    cite: &str,
    k: Knowledge,
) -> Family {
    Family {
        key,
        field,
        provenance: prov(&source, version, record, cite),
        body: Body::Knowledge(k),
    }
}

fn chemicals_families(c: &chemicals::Chemicals, out: &mut Vec<Family>) {
    let v = c.version.as_str();
    let src = |m: &str| format!("chemicals:{}", m.trim_start_matches("chemicals/"));
    let groups = ["Group 1", "Group 2A", "Group 2B", "Group 3"];
    let group_meaning = |g: &str| match g {
        "1" => "carcinogenic to humans",
        "2A" => "probably carcinogenic to humans",
        "2B" => "possibly carcinogenic to humans",
        _ => "not classifiable as to its carcinogenicity to humans",
    };
    // Multi-answer pools: names by IARC group.
    let mut by_group: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for r in &c.iarc {
        by_group
            .entry(r.group.as_str())
            .or_default()
            .push(r.name.clone());
    }
    for (i, r) in c.iarc.iter().enumerate() {
        let answer = format!("Group {}", r.group);
        let n = &r.name;
        let mut k = fact(
            vec![
                format!(
                    "According to IARC (2020 list), in which group is {n} (CAS {}) classified?",
                    r.cas
                ),
                format!(
                    "Under the IARC Monographs classification (2020 list), what is the carcinogenicity group of {n}?"
                ),
                format!(
                    "According to IARC (2020 list), {n} belongs to which classification group?"
                ),
            ],
            &answer,
            None,
            groups.iter().map(|s| s.to_string()).collect(),
            &format!("According to IARC (2020 list), {n} is classified in {{}}."),
            vec![format!(
                "According to IARC (2020 list), {n} is classified in IARC ____."
            )],
            format!(
                "IARC (2020 list) classifies {n} in Group {}: {}.",
                r.group,
                group_meaning(&r.group)
            ),
        );
        k.accepted = vec![r.group.clone(), format!("IARC Group {}", r.group)];
        k.claims.push((
            format!(
                "According to IARC (2020 list), {n} is {}.",
                group_meaning(&r.group)
            ),
            true,
        ));
        // Multi: which of these are in the same group (three from the group, others not).
        if let Some(same) = by_group.get(r.group.as_str()) {
            let correct: Vec<String> = same
                .iter()
                .skip(i % same.len().max(1))
                .take(4)
                .cloned()
                .collect();
            let wrong: Vec<String> = by_group
                .iter()
                .filter(|(g, _)| **g != r.group.as_str())
                .flat_map(|(_, names)| names.iter().skip(i % 7).take(2).cloned())
                .collect();
            if correct.len() >= 2 && wrong.len() >= 3 {
                let mut correct = correct;
                if !correct.contains(n) {
                    correct[0] = n.clone();
                }
                k.multi.push(Multi {
                    question: format!("According to IARC (2020 list), which of these agents are classified in Group {}? Select all that apply.", r.group),
                    correct,
                    wrong,
                });
            }
        }
        out.push(fam(
            format!("iarc:{}", r.cas),
            Field::Chemistry,
            src(chemicals::IARC),
            v,
            &r.cas,
            IARC_CITE,
            k,
        ));
    }
    for r in &c.ntp {
        let (ans, other) = if r.known {
            (
                "Known to be a human carcinogen",
                "Reasonably anticipated to be a human carcinogen",
            )
        } else {
            (
                "Reasonably anticipated to be a human carcinogen",
                "Known to be a human carcinogen",
            )
        };
        let n = &r.name;
        let mut k = fact(
            vec![format!(
                "How does the NTP Report on Carcinogens list {n} (CAS {})?",
                r.cas
            )],
            ans,
            None,
            vec![
                other.into(),
                "Not listed because it was shown to be non-carcinogenic".into(),
                "Listed only as an environmental toxin, not a carcinogen".into(),
            ],
            &format!("The NTP Report on Carcinogens lists {n} as \"{{}}\"."),
            Vec::new(),
            format!(
                "The NTP Report on Carcinogens lists {n} as {}.",
                ans.to_lowercase()
            ),
        );
        k.claims.truncate(2);
        k.claims.push((
            format!("According to NTP, {n} is listed as a known human carcinogen."),
            r.known,
        ));
        out.push(fam(
            format!("ntp:{}", r.cas),
            Field::Chemistry,
            src(chemicals::NTP),
            v,
            &r.cas,
            NTP_CITE,
            k,
        ));
    }
    for o in &c.oel {
        let n = &o.name;
        let mut push = |kind: &str, label: &str, val: f64, unit: &str| {
            let a = fmt_num(val);
            let k = fact(
                vec![
                    format!(
                        "According to Ontario Regulation 833, what is the {label} exposure limit for {n}?"
                    ),
                    format!(
                        "Under Ontario's occupational exposure limits (Reg. 833), the {label} for {n} is what value?"
                    ),
                ],
                &a,
                Some(unit),
                ratio_distractors(val),
                &format!(
                    "Under Ontario Regulation 833, the {label} exposure limit for {n} is {{}}."
                ),
                vec![format!(
                    "Under Ontario Regulation 833, the {label} exposure limit for {n} is ____ {unit}."
                )],
                format!("Ontario Regulation 833 sets the {label} limit for {n} at {a} {unit}."),
            );
            out.push(fam(
                format!("oel-{kind}:{}", o.cas),
                Field::Materials,
                src(chemicals::ONTARIO),
                v,
                &o.cas,
                ONT_CITE,
                k,
            ));
        };
        if let Some(x) = o.twa_ppm {
            push("twa", "8-hour TWA", x, "ppm");
        } else if let Some(x) = o.twa_mg {
            push("twa", "8-hour TWA", x, "mg/m³");
        }
        if let Some(x) = o.stel_ppm {
            push("stel", "15-minute STEL", x, "ppm");
        }
        if let Some(x) = o.ceiling_ppm {
            push("ceiling", "ceiling", x, "ppm");
        }
        if o.skin {
            let k = Knowledge {
                questions: vec![format!(
                    "Does Ontario Regulation 833 give {n} a skin notation (significant absorption through the skin)?"
                )],
                answer: "Yes".into(),
                accepted: vec!["yes".into()],
                distractors: Vec::new(),
                claims: vec![(
                    format!(
                        "Under Ontario Regulation 833, {n} carries a skin notation, meaning skin absorption can add to exposure."
                    ),
                    true,
                )],
                rationale: format!("Ontario Regulation 833 marks {n} with a skin notation."),
                ..Knowledge::default()
            };
            out.push(fam(
                format!("oel-skin:{}", o.cas),
                Field::Materials,
                src(chemicals::ONTARIO),
                v,
                &o.cas,
                ONT_CITE,
                k,
            ));
        }
    }
    // Flammability: one record per CAS, IEC preferred over NFPA 497.
    let mut flam: BTreeMap<&str, &chemicals::Flammability> = BTreeMap::new();
    for f in &c.flammability {
        flam.entry(f.cas.as_str()).or_insert(f);
    }
    for (cas, f) in &flam {
        let n = &f.name;
        let std_ = f.standard;
        let cite = format!("{std_} (values via chemicals {v})");
        if let Some(fp) = f.flash_c {
            let a = fmt_celsius(fp);
            let k = fact(
                vec![
                    format!("According to {std_}, what is the flash point of {n}?"),
                    format!("What flash point does {std_} give for {n}?"),
                ],
                &a,
                Some("°C"),
                celsius_distractors(fp),
                &format!("According to {std_}, the flash point of {n} is {{}}."),
                vec![format!(
                    "According to {std_}, {n} has a flash point of ____ °C."
                )],
                format!("{std_} gives a flash point of {a} °C for {n}."),
            );
            out.push(fam(
                format!("flash:{cas}"),
                Field::Materials,
                src(f.member),
                v,
                cas,
                &cite,
                k,
            ));
            let bp = c.boiling_c.get(*cas).copied();
            if let Some(class) = nfpa30_class(fp, bp) {
                out.push(fam(
                    format!("nfpa30:{cas}"),
                    Field::Engineering,
                    src(f.member),
                    v,
                    cas,
                    NFPA30_CITE,
                    class_fact(n, "NFPA 30 liquid class", &class, &NFPA30_CLASSES, fp, bp),
                ));
            }
            if let Some(cat) = ghs_flammable_category(fp, bp) {
                out.push(fam(
                    format!("ghsflam:{cas}"),
                    Field::Materials,
                    src(f.member),
                    v,
                    cas,
                    GHS_FLAM_CITE,
                    class_fact(
                        n,
                        "GHS flammable liquid category",
                        &cat,
                        &GHS_FLAM_CATS,
                        fp,
                        bp,
                    ),
                ));
            }
        }
        if let Some(ait) = f.autoignition_c {
            let a = fmt_celsius(ait);
            let k = fact(
                vec![format!(
                    "According to {std_}, what is the autoignition temperature of {n}?"
                )],
                &a,
                Some("°C"),
                celsius_distractors(ait),
                &format!("According to {std_}, {n} autoignites at {{}}."),
                vec![format!(
                    "According to {std_}, the autoignition temperature of {n} is ____ °C."
                )],
                format!("{std_} gives an autoignition temperature of {a} °C for {n}."),
            );
            out.push(fam(
                format!("ait:{cas}"),
                Field::Engineering,
                src(f.member),
                v,
                cas,
                &cite,
                k,
            ));
            if let Some(t) = temperature_class(ait) {
                let others: Vec<String> = ["T1", "T2", "T3", "T4", "T5", "T6"]
                    .iter()
                    .filter(|x| **x != t)
                    .map(|x| x.to_string())
                    .collect();
                let mut k = fact(
                    vec![
                        format!(
                            "Based on its autoignition temperature in {std_}, which equipment temperature class (T1–T6) covers {n}?"
                        ),
                        format!(
                            "Electrical equipment for atmospheres containing {n} must have at least which temperature class, given the autoignition temperature listed in {std_}?"
                        ),
                    ],
                    t,
                    None,
                    others,
                    &format!(
                        "Given the autoignition temperature in {std_}, {n} falls in temperature class {{}}."
                    ),
                    vec![format!(
                        "From its autoignition temperature ({a} °C per {std_}), {n} falls in temperature class ____."
                    )],
                    format!(
                        "{n} autoignites at {a} °C ({std_}), so equipment must be temperature class {t} or better."
                    ),
                );
                k.claims.truncate(3);
                out.push(fam(
                    format!("tclass:{cas}"),
                    Field::Engineering,
                    src(f.member),
                    v,
                    cas,
                    ATEX_CITE,
                    k,
                ));
            }
        }
        for (kind, label, val) in [
            ("lfl", "lower flammable limit", f.lfl_vol),
            ("ufl", "upper flammable limit", f.ufl_vol),
        ] {
            let Some(x) = val else { continue };
            let a = fmt_num(x);
            let k = fact(
                vec![
                    format!("According to {std_}, what is the {label} of {n} in air?"),
                    format!("What {label} (vol % in air) does {std_} list for {n}?"),
                ],
                &a,
                Some("vol %"),
                ratio_distractors(x)
                    .into_iter()
                    .filter(|d| d.parse::<f64>().map(|y| y < 100.0).unwrap_or(false))
                    .collect(),
                &format!("According to {std_}, the {label} of {n} in air is {{}}."),
                vec![format!(
                    "According to {std_}, the {label} of {n} in air is ____ vol %."
                )],
                format!("{std_} lists a {label} of {a} vol % for {n} in air."),
            );
            out.push(fam(
                format!("{kind}:{cas}"),
                Field::Engineering,
                src(f.member),
                v,
                cas,
                &cite,
                k,
            ));
        }
    }
    for g in &c.gwp {
        if g.gwp100 <= 0.0 {
            continue;
        }
        let a = fmt_num(g.gwp100);
        let n = &g.name;
        let k = fact(
            vec![format!(
                "According to IPCC AR6, what is the 100-year global warming potential (GWP-100) of {n}?"
            )],
            &a,
            None,
            ratio_distractors(g.gwp100),
            &format!("According to IPCC AR6, the GWP-100 of {n} is {{}}."),
            vec![format!("According to IPCC AR6, {n} has a GWP-100 of ____.")],
            format!("IPCC AR6 gives {n} a 100-year GWP of {a} (CO2 = 1)."),
        );
        out.push(fam(
            format!("gwp:{}:{}", g.cas, n),
            Field::Chemistry,
            src(chemicals::GWP),
            v,
            &g.cas,
            GWP_CITE,
            k,
        ));
    }
    for o in &c.odp {
        if o.odp <= 0.0 {
            continue;
        }
        let a = fmt_num(o.odp);
        let n = &o.name;
        let k = fact(
            vec![format!(
                "According to the WMO assessment, what is the ozone depletion potential (ODP) of {n}?"
            )],
            &a,
            None,
            ratio_distractors(o.odp),
            &format!(
                "According to the WMO assessment, {n} has an ozone depletion potential of {{}}."
            ),
            vec![format!(
                "According to the WMO assessment, {n} has an ODP of ____."
            )],
            format!("The WMO assessment gives {n} an ODP of {a} (CFC-11 = 1)."),
        );
        out.push(fam(
            format!("odp:{}", o.cas),
            Field::Chemistry,
            src(chemicals::ODP),
            v,
            &o.cas,
            ODP_CITE,
            k,
        ));
    }
}

const NFPA30_CLASSES: [&str; 6] = [
    "Class IA",
    "Class IB",
    "Class IC",
    "Class II",
    "Class IIIA",
    "Class IIIB",
];
const GHS_FLAM_CATS: [&str; 4] = ["Category 1", "Category 2", "Category 3", "Category 4"];

/// NFPA 30 class from flash point and boiling point (°C); `None` when the boiling point is needed
/// but unknown.
pub fn nfpa30_class(fp: f64, bp: Option<f64>) -> Option<String> {
    let c = if fp < 22.8 {
        if bp? < 37.8 { "Class IA" } else { "Class IB" }
    } else if fp < 37.8 {
        "Class IC"
    } else if fp < 60.0 {
        "Class II"
    } else if fp < 93.0 {
        "Class IIIA"
    } else {
        "Class IIIB"
    };
    Some(c.into())
}

/// GHS flammable liquid category; `None` above 93 °C or when the boiling point is needed but unknown.
pub fn ghs_flammable_category(fp: f64, bp: Option<f64>) -> Option<String> {
    let c = if fp < 23.0 {
        if bp? <= 35.0 {
            "Category 1"
        } else {
            "Category 2"
        }
    } else if fp <= 60.0 {
        "Category 3"
    } else if fp <= 93.0 {
        "Category 4"
    } else {
        return None;
    };
    Some(c.into())
}

/// Equipment temperature class whose maximum surface temperature stays below the AIT.
pub fn temperature_class(ait: f64) -> Option<&'static str> {
    [
        (450.0, "T1"),
        (300.0, "T2"),
        (200.0, "T3"),
        (135.0, "T4"),
        (100.0, "T5"),
        (85.0, "T6"),
    ]
    .iter()
    .find(|(limit, _)| ait > *limit)
    .map(|(_, t)| *t)
}

fn class_fact(
    n: &str,
    scheme: &str,
    class: &str,
    all: &[&str],
    fp: f64,
    bp: Option<f64>,
) -> Knowledge {
    let basis = match bp {
        Some(b) => format!(
            "flash point {} °C, boiling point {} °C",
            fmt_celsius(fp),
            fmt_celsius(b)
        ),
        None => format!("flash point {} °C", fmt_celsius(fp)),
    };
    let mut k = fact(
        vec![
            format!("A liquid has {basis} ({n}). What is its {scheme}?"),
            format!("What {scheme} applies to {n} ({basis})?"),
        ],
        class,
        None,
        all.iter()
            .filter(|c| **c != class)
            .map(|c| c.to_string())
            .collect(),
        &format!("With {basis}, {n} is {scheme} {{}}."),
        vec![format!("With {basis}, {n} falls in {scheme} ____.")],
        format!("With {basis}, {n} is {class} under the {scheme} criteria."),
    );
    k.claims.truncate(3);
    k
}

fn nuclide_families(
    version: &str,
    nuclides: &[crate::sources::radionuclides::Nuclide],
    out: &mut Vec<Family>,
) {
    let source = |m: &str| format!("icrp107-database:{m}");
    for (i, n) in nuclides.iter().enumerate() {
        let unit = n.unit_word();
        let a = fmt_num(n.half_life);
        let name = &n.name;
        let k = fact(
            vec![
                format!("According to ICRP Publication 107, what is the half-life of {name}?"),
                format!("What half-life does ICRP Publication 107 list for {name}?"),
            ],
            &a,
            Some(unit),
            ratio_distractors(n.half_life),
            &format!("According to ICRP Publication 107, the half-life of {name} is {{}}."),
            vec![format!(
                "According to ICRP Publication 107, {name} has a half-life of ____ {unit}."
            )],
            format!("ICRP Publication 107 lists a half-life of {a} {unit} for {name}."),
        );
        out.push(fam(
            format!("halflife:{name}"),
            Field::Physics,
            source(&n.member),
            version,
            name,
            ICRP_CITE,
            k,
        ));
        // Remaining fraction after whole half-lives (computed, deterministic).
        let h = 1 + i % 4;
        let frac = 0.5f64.powi(h as i32);
        let t = fmt_num(n.half_life * h as f64);
        let pct = fmt_num(frac * 100.0);
        let k = fact(
            vec![format!(
                "Using the ICRP Publication 107 half-life of {name} ({a} {unit}), what percentage of an initial activity remains after {t} {unit}?"
            )],
            &pct,
            Some("%"),
            ratio_distractors(frac * 100.0)
                .into_iter()
                .filter(|d| d.parse::<f64>().map(|x| x <= 100.0).unwrap_or(false))
                .collect(),
            &format!(
                "With a half-life of {a} {unit} (ICRP Publication 107), {{}} of the activity of {name} remains after {t} {unit}."
            ),
            Vec::new(),
            format!("{t} {unit} is {h} half-lives of {name}, so 0.5^{h} = {pct} % remains."),
        );
        out.push(fam(
            format!("decayfrac:{name}"),
            Field::Physics,
            source(&n.member),
            version,
            name,
            ICRP_CITE,
            k,
        ));
        if !n.emissions.is_empty() {
            let label = |e: &str| match e {
                "alpha" => "alpha particles",
                "beta-" => "beta-minus particles (electrons)",
                "beta+" => "positrons (beta-plus)",
                _ => "gamma rays",
            };
            let all = ["alpha", "beta-", "beta+", "gamma"];
            let correct: Vec<String> = n.emissions.iter().map(|e| label(e).to_string()).collect();
            let wrong: Vec<String> = all
                .iter()
                .filter(|e| !n.emissions.iter().any(|x| x == *e))
                .map(|e| label(e).to_string())
                .collect();
            let mut claims: Vec<(String, bool)> = all
                .iter()
                .map(|e| {
                    (format!("According to ICRP Publication 107, {name} emits {} with a total yield of at least 1 % per decay.", label(e)), n.emissions.iter().any(|x| x == e))
                })
                .collect();
            if let Some(g) = n.main_gamma_mev {
                claims.push((format!("According to ICRP Publication 107, the most intense gamma line of {name} is at about {} MeV.", fmt_num(g)), true));
            }
            let k = Knowledge {
                questions: Vec::new(),
                answer: correct.join(", "),
                claims,
                multi: if wrong.is_empty() {
                    Vec::new()
                } else {
                    vec![Multi {
                        question: format!(
                            "According to ICRP Publication 107, which radiations does {name} emit with a total yield of at least 1 % per decay? Select all that apply."
                        ),
                        correct: correct.clone(),
                        wrong,
                    }]
                },
                rationale: format!(
                    "ICRP Publication 107 lists {} among the emissions of {name}.",
                    correct.join(" and ")
                ),
                ..Knowledge::default()
            };
            out.push(fam(
                format!("emission:{name}"),
                Field::Physics,
                source(&n.member),
                version,
                name,
                ICRP_CITE,
                k,
            ));
        }
    }
}

fn icd_families(version: &str, codes: &[crate::sources::icd10cm::IcdCode], out: &mut Vec<Family>) {
    let source = format!(
        "simple-icd-10-cm:{}",
        crate::sources::icd10cm::XML.trim_start_matches("simple_icd_10_cm/")
    );
    // Distractors: neighbours in the same range (plausible, never the same description).
    let mut by_range: BTreeMap<IcdRange, Vec<&crate::sources::icd10cm::IcdCode>> = BTreeMap::new();
    for c in codes {
        by_range.entry(c.range).or_default().push(c);
    }
    for (range, list) in &by_range {
        let field = match range {
            IcdRange::Poisoning | IcdRange::ToxicEffect => Field::Medicine,
            IcdRange::Mental | IcdRange::SelfHarm => Field::Psychology,
            IcdRange::Infectious => Field::Biology,
        };
        let chapter = match range {
            IcdRange::Poisoning => {
                "poisoning by drugs, medicaments and biological substances (T36–T50)"
            }
            IcdRange::ToxicEffect => {
                "toxic effects of substances chiefly nonmedicinal as to source (T51–T65)"
            }
            IcdRange::Mental => "mental, behavioral and neurodevelopmental disorders (F01–F99)",
            IcdRange::SelfHarm => "intentional self-harm (X71–X83)",
            IcdRange::Infectious => "certain infectious and parasitic diseases (A00–B99)",
        };
        for (i, c) in list.iter().enumerate() {
            let near: Vec<&&crate::sources::icd10cm::IcdCode> = (1..=6)
                .flat_map(|d| [i.checked_sub(d * 3), Some(i + d * 3)])
                .flatten()
                .filter_map(|j| list.get(j))
                .collect();
            let desc_d: Vec<String> = near.iter().map(|x| x.desc.clone()).collect();
            let code_d: Vec<String> = near.iter().map(|x| x.code.clone()).collect();
            let mut k = fact(
                vec![
                    format!("In ICD-10-CM (2026), what does code {} denote?", c.code),
                    format!("Which condition is ICD-10-CM code {} used for?", c.code),
                ],
                &c.desc,
                None,
                desc_d,
                &format!("In ICD-10-CM (2026), code {} denotes: {{}}.", c.code),
                Vec::new(),
                format!(
                    "ICD-10-CM code {} is \"{}\", in the chapter block for {chapter}.",
                    c.code, c.desc
                ),
            );
            let code_distractors = distinct_except(&c.code, code_d);
            let mut rev = fact(
                vec![format!(
                    "Which ICD-10-CM (2026) code denotes \"{}\"?",
                    c.desc
                )],
                &c.code,
                None,
                code_distractors,
                &format!("The ICD-10-CM (2026) code for \"{}\" is {{}}.", c.desc),
                vec![format!(
                    "The ICD-10-CM (2026) code for \"{}\" is ____.",
                    c.desc
                )],
                String::new(),
            );
            k.claims.truncate(2);
            k.claims.extend(rev.claims.drain(..).take(2));
            k.claims.push((
                format!(
                    "ICD-10-CM code {} belongs to the block for {chapter}.",
                    c.code
                ),
                true,
            ));
            // The reverse direction (description → code) is the same fact: same family.
            rev.rationale = k.rationale.clone();
            k.reverse = Some(Box::new(rev));
            let fam_ = Family {
                key: format!("icd:{}", c.code),
                field,
                provenance: prov(&source, version, &c.code, ICD_CITE),
                body: Body::Knowledge(k),
            };
            out.push(fam_);
        }
    }
}

fn medchem_families(version: &str, m: &crate::sources::medchem::Medchem, out: &mut Vec<Family>) {
    let source = format!(
        "medchem:{}",
        crate::sources::medchem::GROUPS.trim_start_matches("medchem/")
    );
    let schedules = [
        "Schedule I",
        "Schedule II",
        "Schedule III",
        "Schedule IV",
        "Schedule V",
    ];
    let mut seen = std::collections::BTreeSet::new();
    for s in &m.scheduled {
        if !seen.insert(s.name.to_lowercase()) {
            continue;
        }
        let n = &s.name;
        let answer = format!("Schedule {}", s.schedule);
        let mut k = fact(
            vec![
                format!(
                    "Under the US Controlled Substances Act (as listed in medchem 2.1.1), in which schedule is {n}?"
                ),
                format!(
                    "According to the DEA schedules (21 CFR 1308), {n} is a controlled substance in which schedule?"
                ),
            ],
            &answer,
            None,
            schedules.iter().map(|x| x.to_string()).collect(),
            &format!("Under the US Controlled Substances Act, {n} is in {{}}."),
            vec![format!(
                "Under the US Controlled Substances Act, {n} is a Schedule ____ substance."
            )],
            format!(
                "{n} is a Schedule {} controlled substance under the US Controlled Substances Act.",
                s.schedule
            ),
        );
        k.accepted = vec![s.schedule.clone()];
        out.push(Family {
            key: format!("dea:{}", n.to_lowercase()),
            field: Field::Medicine,
            provenance: prov(&source, version, n, DEA_CITE),
            body: Body::Knowledge(k),
        });
    }
    // Structural alerts: which rule set flags a described alert.
    let asrc = format!(
        "medchem:{}",
        crate::sources::medchem::ALERTS.trim_start_matches("medchem/")
    );
    let sets: Vec<String> = {
        let mut s: Vec<String> = m.alerts.iter().map(|a| a.rule_set.clone()).collect();
        s.sort();
        s.dedup();
        s
    };
    let mut seen = std::collections::BTreeSet::new();
    for a in &m.alerts {
        let key = format!("{}|{}", a.rule_set, a.description.to_lowercase());
        if !seen.insert(key.clone()) || a.description.len() < 4 {
            continue;
        }
        let d = &a.description;
        let k = fact(
            vec![format!(
                "In the medchem common alerts collection, which rule set contains the structural alert \"{d}\"?"
            )],
            &a.rule_set,
            None,
            sets.iter().filter(|s| **s != a.rule_set).cloned().collect(),
            &format!(
                "In the medchem common alerts collection, the alert \"{d}\" belongs to the {{}} rule set."
            ),
            Vec::new(),
            format!(
                "medchem lists \"{d}\" as a structural alert in the {} rule set.",
                a.rule_set
            ),
        );
        out.push(Family {
            key: format!("alert:{key}"),
            field: Field::Chemistry,
            provenance: prov(&asrc, version, d, "medchem common alerts collection"),
            body: Body::Knowledge(k),
        });
    }
}

fn cpic_families(version: &str, rows: &[crate::sources::pypgx::GeneDrug], out: &mut Vec<Family>) {
    let source = format!(
        "pypgx:{}",
        crate::sources::pypgx::CPIC.trim_start_matches("pypgx/")
    );
    let genes: Vec<String> = {
        let mut g: Vec<String> = rows.iter().map(|r| r.gene.clone()).collect();
        g.sort();
        g.dedup();
        g
    };
    let levels = ["A", "A/B", "B", "B/C", "C", "C/D", "D"];
    for r in rows {
        let (g, d) = (&r.gene, &r.drug);
        let mut k = fact(
            vec![
                format!(
                    "According to CPIC, variation in which gene is paired with {d} at CPIC level {}?",
                    r.cpic_level
                ),
                format!(
                    "Which gene does the CPIC gene–drug table pair with {d} (CPIC level {})?",
                    r.cpic_level
                ),
            ],
            g,
            None,
            genes
                .iter()
                .filter(|x| *x != g)
                .skip(d.len() % 5)
                .step_by(7)
                .take(6)
                .cloned()
                .collect(),
            &format!(
                "According to CPIC, {d} is paired with the gene {{}} at level {}.",
                r.cpic_level
            ),
            vec![format!(
                "According to CPIC, {d} is paired with gene ____ at CPIC level {}.",
                r.cpic_level
            )],
            format!(
                "CPIC pairs {d} with {g} at level {}{}.",
                r.cpic_level,
                if r.fda_label.is_empty() {
                    String::new()
                } else {
                    format!("; FDA label: {}", r.fda_label)
                }
            ),
        );
        for l in levels {
            if l != r.cpic_level && k.claims.len() < 6 {
                k.claims
                    .push((format!("CPIC assigns the {g}–{d} pair level {l}."), false));
            }
        }
        k.claims.push((
            format!("CPIC assigns the {g}–{d} pair level {}.", r.cpic_level),
            true,
        ));
        if !r.fda_label.is_empty() {
            k.claims.push((
                format!(
                    "According to the CPIC table, the FDA label status for {g} and {d} is \"{}\".",
                    r.fda_label
                ),
                true,
            ));
        }
        out.push(Family {
            key: format!("cpic:{g}:{d}"),
            field: Field::Biology,
            provenance: prov(&source, version, &format!("{g}/{d}"), CPIC_CITE),
            body: Body::Knowledge(k),
        });
    }
}

fn phrase_families(
    version: &str,
    phrases: &[crate::sources::texlive::Phrase],
    out: &mut Vec<Family>,
) {
    let source = format!(
        "texlive-science:{}",
        crate::sources::texlive::MEMBER.trim_start_matches("./")
    );
    for (i, p) in phrases.iter().enumerate() {
        let kind = if p.code.starts_with('P') {
            "precautionary"
        } else {
            "hazard"
        };
        let near: Vec<&crate::sources::texlive::Phrase> = (1..=5)
            .flat_map(|d| [i.checked_sub(d * 2), Some(i + d * 2)])
            .flatten()
            .filter_map(|j| phrases.get(j))
            .filter(|x| x.code.starts_with(&p.code[..1]))
            .collect();
        let k = fact(
            vec![
                format!(
                    "Which GHS/CLP {kind} statement does code {} stand for?",
                    p.code
                ),
                format!(
                    "What is the wording of {kind} statement {} under GHS/CLP?",
                    p.code
                ),
            ],
            &p.text,
            None,
            near.iter().map(|x| x.text.clone()).collect(),
            &format!("GHS/CLP {kind} statement {} reads: \"{{}}\"", p.code),
            Vec::new(),
            format!("{} is the {kind} statement \"{}\".", p.code, p.text),
        );
        let mut k = k;
        let codes = distinct_except(&p.code, near.iter().map(|x| x.code.clone()));
        for c in codes.iter().take(2) {
            k.claims.push((
                format!("The GHS/CLP statement \"{}\" has the code {c}.", p.text),
                false,
            ));
        }
        k.claims.push((
            format!(
                "The GHS/CLP statement \"{}\" has the code {}.",
                p.text, p.code
            ),
            true,
        ));
        out.push(Family {
            key: format!("clp:{}", p.code),
            field: Field::Chemistry,
            provenance: prov(&source, version, &p.code, CLP_CITE),
            body: Body::Knowledge(k),
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn flammability_classes_follow_the_cut_offs() {
        assert_eq!(nfpa30_class(-45.0, Some(34.6)).as_deref(), Some("Class IA"));
        assert_eq!(nfpa30_class(13.0, Some(78.0)).as_deref(), Some("Class IB"));
        assert_eq!(
            nfpa30_class(13.0, None),
            None,
            "class I needs the boiling point"
        );
        assert_eq!(nfpa30_class(40.0, None).as_deref(), Some("Class II"));
        assert_eq!(nfpa30_class(100.0, None).as_deref(), Some("Class IIIB"));
        assert_eq!(
            ghs_flammable_category(-45.0, Some(34.6)).as_deref(),
            Some("Category 1")
        );
        assert_eq!(
            ghs_flammable_category(61.0, None).as_deref(),
            Some("Category 4")
        );
        assert_eq!(ghs_flammable_category(100.0, None), None);
        assert_eq!(temperature_class(175.0), Some("T4"));
        assert_eq!(temperature_class(448.0), Some("T2"));
        assert_eq!(temperature_class(80.0), None);
    }
}
