//! Radiation-protection knowledge from mendeleev (NUBASE2020 isotopes: natural abundance, main
//! decay mode, and half-lives of nuclides that ICRP-107 does not list) and periodictable (neutron
//! activation products of reactor and accelerator materials, their cross-sections, and
//! thermal-neutron absorbers used in control rods and shielding). Public nuclear data only; the
//! fissile isotopes are left out of the absorption questions.

use super::numeric::{fmt_num, ratio_distractors};
use super::sources_gen::{fact, fam};
use super::{Family, Inputs, Knowledge};
use crate::sources::mendeleev::Isotope;
use crate::sources::periodictable::{self, PeriodicTable};
use safesci_core::item::Field;
use std::collections::{BTreeMap, BTreeSet};

const NUBASE_CITE: &str = "NUBASE2020 evaluation of nuclear properties (Kondev et al., Chinese Physics C 45 (2021) 030001), as shipped in mendeleev 1.3.0";
const ACT_CITE: &str =
    "periodictable 2.1.0 neutron activation table (after L. Slaback's activation spreadsheet)";
const NSF_CITE: &str = "Sears, Neutron scattering lengths and cross sections, Neutron News 3 (1992) 26, as tabulated in periodictable 2.1.0";

/// Isotopes whose absorption cross-sections are not asked about (fissile material).
const FISSILE: &[&str] = &["U-233", "U-235", "Pu-239", "Pu-241"];

fn unit_words(u: &str) -> Option<&'static str> {
    Some(match u {
        "minute" => "minutes",
        "hour" => "hours",
        "day" => "days",
        "year" => "years",
        "kyear" => "thousand years",
        "Myear" => "million years",
        "Gyear" => "billion years",
        _ => return None,
    })
}

fn act_unit(u: &str) -> &'static str {
    match u {
        "s" => "seconds",
        "m" => "minutes",
        "h" => "hours",
        "d" => "days",
        _ => "years",
    }
}

/// The main decay mode in words, from mendeleev's mode codes.
fn mode_words(code: &str) -> Option<&'static str> {
    Some(match code {
        "B-" => "beta-minus decay",
        "B+" | "EC" | "EC+B+" | "B+EC" => "beta-plus decay or electron capture",
        "A" => "alpha decay",
        "IT" => "isomeric transition (gamma emission)",
        "SF" => "spontaneous fission",
        _ => return None,
    })
}

const MODES: &[&str] = &[
    "beta-minus decay",
    "beta-plus decay or electron capture",
    "alpha decay",
    "isomeric transition (gamma emission)",
    "spontaneous fission",
];

pub fn families(inputs: &Inputs) -> Vec<Family> {
    let mut out = Vec::new();
    let icrp: BTreeSet<String> = inputs
        .nuclides
        .as_ref()
        .map(|(_, n)| n.iter().map(|x| x.name.clone()).collect())
        .unwrap_or_default();
    let mut element_names: BTreeMap<u32, String> = BTreeMap::new();
    if let Some((v, isotopes)) = &inputs.isotopes {
        for i in isotopes {
            element_names
                .entry(i.z)
                .or_insert_with(|| i.element.clone());
        }
        mendeleev_families(v, isotopes, &icrp, &mut out);
    }
    if let Some((v, p)) = &inputs.periodic {
        periodic_families(v, p, &icrp, &element_names, &mut out);
    }
    out
}

fn mendeleev_families(
    v: &str,
    isotopes: &[Isotope],
    icrp: &BTreeSet<String>,
    out: &mut Vec<Family>,
) {
    let src = format!(
        "mendeleev:{}",
        crate::sources::mendeleev::DB.trim_start_matches("mendeleev/")
    );
    for iso in isotopes {
        let name = iso.name();
        if let Some(a) = iso.abundance.filter(|a| *a > 0.0 && *a < 100.0) {
            let s = fmt_num(a);
            let k = fact(
                vec![
                    format!(
                        "According to NUBASE2020, what is the natural isotopic abundance of {name}?"
                    ),
                    format!(
                        "What percentage of natural {} is the isotope {name} (NUBASE2020)?",
                        iso.element.to_lowercase()
                    ),
                ],
                &s,
                Some("%"),
                ratio_distractors(a)
                    .into_iter()
                    .filter(|d| d.parse::<f64>().is_ok_and(|x| x < 100.0))
                    .collect(),
                &format!("According to NUBASE2020, the natural abundance of {name} is {{}}."),
                vec![format!(
                    "According to NUBASE2020, {name} makes up ____ % of natural {}.",
                    iso.element.to_lowercase()
                )],
                format!("NUBASE2020 gives {name} a natural abundance of {s} %."),
            );
            out.push(fam(
                format!("abundance:{name}"),
                Field::Physics,
                src.clone(),
                v,
                &name,
                NUBASE_CITE,
                k,
            ));
        }
        if !iso.radioactive {
            continue;
        }
        let (Some(hl), Some(unit)) = (iso.half_life, unit_words(&iso.half_life_unit)) else {
            continue;
        };
        // Main decay mode: the most intense mode with a known name.
        let main = iso
            .modes
            .iter()
            .filter_map(|(m, i)| mode_words(m).map(|w| (w, i.unwrap_or(0.0))))
            .fold(None::<(&str, f64)>, |best, (w, i)| match best {
                Some((_, b)) if b >= i => best,
                _ => Some((w, i)),
            });
        if let Some((mode, _)) = main {
            let mut k = fact(
                vec![
                    format!("According to NUBASE2020, what is the main decay mode of {name}?"),
                    format!(
                        "For radiation protection planning, how does {name} mainly decay (NUBASE2020)?"
                    ),
                ],
                mode,
                None,
                MODES
                    .iter()
                    .filter(|m| **m != mode)
                    .map(|m| m.to_string())
                    .collect(),
                &format!("According to NUBASE2020, {name} decays mainly by {{}}."),
                Vec::new(),
                format!(
                    "NUBASE2020 lists {mode} as the main decay mode of {name}; the decay mode sets which radiation must be shielded."
                ),
            );
            k.claims.truncate(3);
            out.push(fam(
                format!("decaymode:{name}"),
                Field::Physics,
                src.clone(),
                v,
                &name,
                NUBASE_CITE,
                k,
            ));
        }
        // Half-lives only where ICRP-107 (icrp107-database / radioactivedecay) has none.
        if !icrp.contains(&name) {
            let s = fmt_num(hl);
            let k = fact(
                vec![
                    format!("According to NUBASE2020, what is the half-life of {name}?"),
                    format!("What half-life does NUBASE2020 give for {name}?"),
                ],
                &s,
                Some(unit),
                ratio_distractors(hl),
                &format!("According to NUBASE2020, the half-life of {name} is {{}}."),
                vec![format!(
                    "According to NUBASE2020, {name} has a half-life of ____ {unit}."
                )],
                format!("NUBASE2020 gives {name} a half-life of {s} {unit}."),
            );
            out.push(fam(
                format!("halflife-nubase:{name}"),
                Field::Physics,
                src.clone(),
                v,
                &name,
                NUBASE_CITE,
                k,
            ));
        }
    }
}

fn periodic_families(
    v: &str,
    p: &PeriodicTable,
    icrp: &BTreeSet<String>,
    element_names: &BTreeMap<u32, String>,
    out: &mut Vec<Family>,
) {
    let act_src = format!(
        "periodictable:{}",
        periodictable::ACTIVATION.trim_start_matches("periodictable/")
    );
    let nsf_src = format!(
        "periodictable:{}",
        periodictable::NSF.trim_start_matches("periodictable/")
    );
    // Every product of one target and reaction (ground state and isomers): none of them may be
    // a distractor, and the family asks about the first one listed.
    let mut products: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    for a in &p.activation {
        products
            .entry((a.target.as_str(), a.reaction.as_str()))
            .or_default()
            .insert(a.product.as_str());
    }
    let mut seen = BTreeSet::new();
    let mut seen_hl = BTreeSet::new();
    for (i, a) in p.activation.iter().enumerate() {
        let (t, rx, prod) = (&a.target, &a.reaction, &a.product);
        if !seen.insert(format!("{t}{rx}")) {
            continue;
        }
        let same = products.get(&(t.as_str(), rx.as_str()));
        let neutron = if rx == "(n,γ)" {
            "thermal-neutron"
        } else {
            "neutron"
        };
        let unit = act_unit(&a.unit);
        let hl = fmt_num(a.half_life);
        // Distractors: products of neighbouring rows (nearby elements), never the answer.
        let lo = i.saturating_sub(8);
        let hi = (i + 9).min(p.activation.len());
        let others: Vec<String> = p.activation[lo..hi]
            .iter()
            .map(|o| o.product.clone())
            .filter(|o| !same.is_some_and(|s| s.contains(o.as_str())))
            .collect();
        let mut k = fact(
            vec![
                format!(
                    "In a reactor or near an accelerator, the {neutron} {rx} reaction on {t} produces which radionuclide?"
                ),
                format!(
                    "Which activation product forms when {t} undergoes an {rx} reaction (periodictable activation table)?"
                ),
            ],
            prod,
            None,
            others,
            &format!("The {rx} reaction on {t} produces {{}}."),
            vec![format!(
                "Neutron activation of {t} by the {rx} reaction produces ____."
            )],
            format!(
                "The periodictable activation table lists {prod} (half-life {hl} {unit}) as the {rx} product of {t}."
            ),
        );
        k.claims.push((
            format!("The activation product {prod} of {t} {rx} has a half-life of about {hl} {unit} (periodictable activation table)."),
            true,
        ));
        out.push(fam(
            format!("activation:{t}{rx}"),
            Field::Materials,
            act_src.clone(),
            v,
            &format!("line {}", a.line),
            ACT_CITE,
            k,
        ));
        if let Some(b) = a.thermal_b.filter(|b| *b > 0.0) {
            let s = fmt_num(b);
            let k = fact(
                vec![format!(
                    "According to the periodictable activation table, what is the thermal-neutron cross-section of the {t}{rx}{prod} reaction?"
                )],
                &s,
                Some("barns"),
                ratio_distractors(b),
                &format!("The thermal cross-section of {t}{rx}{prod} is {{}}."),
                Vec::new(),
                format!("The periodictable activation table gives {s} b for {t}{rx}{prod}."),
            );
            out.push(fam(
                format!("actxs:{t}{rx}{prod}"),
                Field::Physics,
                act_src.clone(),
                v,
                &format!("line {}", a.line),
                ACT_CITE,
                k,
            ));
        }
        // Product half-lives that ICRP-107 does not cover.
        if !icrp.contains(prod) && seen_hl.insert(prod.clone()) {
            let k = fact(
                vec![format!(
                    "According to the periodictable activation table, what is the half-life of the activation product {prod}?"
                )],
                &hl,
                Some(unit),
                ratio_distractors(a.half_life),
                &format!("The activation product {prod} has a half-life of {{}}."),
                Vec::new(),
                format!(
                    "The periodictable activation table gives {prod} a half-life of {hl} {unit}."
                ),
            );
            out.push(fam(
                format!("acthl:{prod}"),
                Field::Physics,
                act_src.clone(),
                v,
                &format!("line {}", a.line),
                ACT_CITE,
                k,
            ));
        }
    }
    // Absorption cross-sections: elements (shielding materials) and isotopes.
    let label = |x: &periodictable::Absorption| {
        if x.isotope {
            x.name.clone()
        } else {
            element_names
                .get(&x.z)
                .map(|n| format!("{} ({})", n.to_lowercase(), x.name))
                .unwrap_or_else(|| x.name.clone())
        }
    };
    let weak: Vec<String> = p
        .absorption
        .iter()
        .filter(|x| !x.isotope && x.barns < 1.0)
        .map(label)
        .collect();
    for x in p
        .absorption
        .iter()
        .filter(|x| !FISSILE.contains(&x.name.as_str()))
    {
        if x.barns <= 0.0 {
            continue;
        }
        let n = label(x);
        let s = fmt_num(x.barns);
        let what = if x.isotope { "the isotope" } else { "natural" };
        let k = fact(
            vec![
                format!(
                    "What is the thermal-neutron absorption cross-section of {what} {n} (Sears 1992)?"
                ),
                format!(
                    "According to Sears (1992), how strongly does {what} {n} absorb thermal neutrons (absorption cross-section in barns)?"
                ),
            ],
            &s,
            Some("barns"),
            ratio_distractors(x.barns),
            &format!("The thermal-neutron absorption cross-section of {what} {n} is {{}}."),
            vec![format!(
                "Per Sears (1992), {what} {n} has a thermal-neutron absorption cross-section of ____ barns."
            )],
            format!(
                "Sears (1992) gives {what} {n} a thermal-neutron absorption cross-section of {s} b."
            ),
        );
        out.push(fam(
            format!("absorption:{}", x.name),
            if x.isotope {
                Field::Physics
            } else {
                Field::Materials
            },
            nsf_src.clone(),
            v,
            &format!("line {}", x.line),
            NSF_CITE,
            k,
        ));
        // Strong absorbers (≥ 100 b) against weak ones: control-rod and shielding materials.
        if !x.isotope && x.barns >= 100.0 && weak.len() >= 5 {
            let k = Knowledge {
                questions: vec![
                    "Which of these elements absorbs thermal neutrons most strongly, making it suitable for control rods or neutron shielding?".to_string(),
                    "Which element in this list is a strong thermal-neutron absorber (absorption cross-section above 100 barns)?".to_string(),
                ],
                answer: n.clone(),
                distractors: weak.iter().skip(x.z as usize % 3).step_by(2).take(8).cloned().collect(),
                claims: vec![(
                    format!("{n} is a strong thermal-neutron absorber (about {s} barns, Sears 1992)."),
                    true,
                )],
                rationale: format!("Sears (1992) gives natural {n} an absorption cross-section of {s} b, far above structural metals."),
                ..Knowledge::default()
            };
            out.push(fam(
                format!("strongabsorber:{}", x.name),
                Field::Materials,
                nsf_src.clone(),
                v,
                &format!("line {}", x.line),
                NSF_CITE,
                k,
            ));
        }
    }
}
