//! Knowledge families from the curated fact tables (`facts:<csv>` provenance, the row's citation).
//! One family per row and attribute; a missing table simply yields no families.

use super::numeric::{fmt_num, ratio_distractors};
use super::{Body, Family, Inputs, Knowledge, distinct_except, prov};
use crate::facts::Row;
use safesci_core::item::Field;

pub fn families(inputs: &Inputs) -> Vec<Family> {
    let f = &inputs.facts;
    let mut out = Vec::new();
    let mut push = |table: &str, row: &Row, key: String, field: Field, k: Knowledge| {
        let version = f
            .tables
            .get(table)
            .map(|t| t.sha256[..12].to_string())
            .unwrap_or_default();
        out.push(Family {
            key: format!("facts:{key}"),
            field,
            provenance: prov(
                &format!("facts:{table}"),
                &version,
                &format!("line {}", row.line),
                row.citation(),
            ),
            body: Body::Knowledge(k),
        });
    };

    let t = "ghs_hazard_statements.csv";
    let rows = f.rows(t);
    let col = |c: &str| -> Vec<String> { rows.iter().map(|r| r.get(c).to_string()).collect() };
    let (statements, classes) = (col("statement"), col("hazard_class"));
    for (i, r) in rows.iter().enumerate() {
        let code = r.get("code");
        let st = r.get("statement");
        if code.is_empty() || st.is_empty() {
            continue;
        }
        let near = |all: &[String]| -> Vec<String> {
            (1..=6)
                .flat_map(|d| [i.checked_sub(d), Some(i + d)])
                .flatten()
                .filter_map(|j| all.get(j).cloned())
                .collect()
        };
        push(
            t,
            r,
            format!("ghs:{code}:statement"),
            Field::Chemistry,
            simple(
                vec![
                    format!("Under the UN GHS, what does hazard statement {code} say?"),
                    format!("Which hazard does GHS code {code} communicate?"),
                ],
                st,
                near(&statements),
                format!("Under the UN GHS, hazard statement {code} reads \"{{}}\"."),
                format!("GHS hazard statement {code} is \"{st}\"."),
            ),
        );
        let class = format!("{} ({})", r.get("hazard_class"), r.get("category"));
        if !r.get("hazard_class").is_empty() {
            let others: Vec<String> = near(&classes)
                .into_iter()
                .zip(rows.iter().skip(i.saturating_sub(6)))
                .map(|(c, rr)| format!("{c} ({})", rr.get("category")))
                .collect();
            push(
                t,
                r,
                format!("ghs:{code}:class"),
                Field::Chemistry,
                simple(
                    vec![format!(
                        "Under the UN GHS, hazard statement {code} (\"{st}\") is assigned to which hazard class and category?"
                    )],
                    &class,
                    others,
                    format!("GHS hazard statement {code} belongs to {{}}."),
                    format!("{code} (\"{st}\") is assigned to {class}."),
                ),
            );
        }
        let sw = r.get("signal_word");
        if !sw.is_empty() {
            let mut k = simple(
                vec![format!(
                    "Which signal word goes with GHS hazard statement {code} (\"{st}\")?"
                )],
                sw,
                vec![
                    "Danger".into(),
                    "Warning".into(),
                    "none".into(),
                    "Caution".into(),
                ],
                format!("GHS hazard statement {code} uses the signal word {{}}."),
                format!("GHS assigns the signal word \"{sw}\" to {code}."),
            );
            k.distractors.retain(|d| d != sw);
            push(t, r, format!("ghs:{code}:signal"), Field::Chemistry, k);
        }
        let pic = r.get("pictogram");
        if !pic.is_empty() {
            let all: Vec<String> = (1..=9)
                .map(|n| format!("GHS0{n}"))
                .chain(["none".to_string()])
                .collect();
            push(
                t,
                r,
                format!("ghs:{code}:pictogram"),
                Field::Chemistry,
                simple(
                    vec![format!(
                        "Which GHS pictogram accompanies hazard statement {code} (\"{st}\")?"
                    )],
                    pic,
                    all,
                    format!("Hazard statement {code} is shown with pictogram {{}}."),
                    format!("GHS hazard statement {code} uses pictogram {pic}."),
                ),
            );
        }
        let group = r.get("hazard_group");
        if !group.is_empty() {
            let mut k = simple(
                vec![format!(
                    "Is GHS hazard statement {code} (\"{st}\") a physical, health or environmental hazard?"
                )],
                group,
                vec!["physical".into(), "health".into(), "environmental".into()],
                format!("GHS hazard statement {code} is a {{}} hazard."),
                format!("{code} is a {group} hazard statement."),
            );
            k.distractors.push("none of these (precautionary)".into());
            push(t, r, format!("ghs:{code}:group"), Field::Chemistry, k);
        }
    }

    let t = "ghs_pictograms.csv";
    let rows = f.rows(t);
    let symbols: Vec<String> = rows.iter().map(|r| r.get("symbol").to_string()).collect();
    let codes: Vec<String> = rows.iter().map(|r| r.get("code").to_string()).collect();
    for r in rows {
        let (code, sym, classes) = (r.get("code"), r.get("symbol"), r.get("hazard_classes"));
        let mut k = simple(
            vec![format!("What symbol does GHS pictogram {code} show?")],
            sym,
            symbols.clone(),
            format!("GHS pictogram {code} shows {{}}."),
            format!("GHS pictogram {code} shows {sym} and is used for: {classes}."),
        );
        k.reverse = Some(Box::new(simple(
            vec![format!("Which GHS pictogram shows {sym}?")],
            code,
            codes.clone(),
            format!("The GHS pictogram showing {sym} is {{}}."),
            String::new(),
        )));
        push(t, r, format!("pictogram:{code}"), Field::Chemistry, k);
    }

    let t = "acute_toxicity_categories.csv";
    let rows = f.rows(t);
    for r in rows {
        let (route, cat, unit) = (r.get("route"), r.get("category"), r.get("unit"));
        let (Ok(lo), Ok(hi)) = (r.get("lower").parse::<f64>(), r.get("upper").parse::<f64>())
        else {
            continue;
        };
        let mid = if lo > 0.0 { (lo * hi).sqrt() } else { hi / 2.0 };
        let x = fmt_num(mid);
        let others: Vec<String> = rows
            .iter()
            .filter(|o| o.get("route") == route)
            .map(|o| format!("Category {}", o.get("category")))
            .collect();
        let answer = format!("Category {cat}");
        push(
            t,
            r,
            format!("acutetox:{route}:{cat}"),
            Field::Medicine,
            simple(
                vec![format!(
                    "Under the UN GHS, a substance with an acute {route} toxicity estimate of {x} {unit} falls in which acute toxicity category?"
                )],
                &answer,
                others,
                format!(
                    "Under the UN GHS, an acute {route} toxicity estimate of {x} {unit} is {{}}."
                ),
                format!(
                    "GHS acute toxicity {answer} ({route}) covers values above {lo} and up to {hi} {unit}."
                ),
            ),
        );
    }

    let t = "un_transport_classes.csv";
    let rows = f.rows(t);
    let names: Vec<String> = rows.iter().map(|r| r.get("name").to_string()).collect();
    for r in rows {
        let id = match r.get("division") {
            "" => r.get("class").to_string(),
            d => d.to_string(),
        };
        let name = r.get("name");
        let ex = r.get("example");
        let mut k = simple(
            vec![
                format!(
                    "Under the UN Model Regulations, what does transport class/division {id} cover?"
                ),
                format!("Dangerous goods of UN class/division {id} are which kind of goods?"),
            ],
            name,
            names.clone(),
            format!("UN transport class/division {id} covers {{}}."),
            format!(
                "UN class/division {id} covers {name}{}.",
                if ex.is_empty() {
                    String::new()
                } else {
                    format!(" (for example {ex})")
                }
            ),
        );
        if !ex.is_empty() {
            k.claims.push((
                format!("{ex} is an example of UN transport class/division {id}."),
                true,
            ));
        }
        push(t, r, format!("un:{id}"), Field::Engineering, k);
    }

    let t = "nfpa704.csv";
    let rows = f.rows(t);
    for r in rows {
        let (q, rating, meaning) = (r.get("quadrant"), r.get("rating"), r.get("meaning"));
        let others: Vec<String> = rows
            .iter()
            .filter(|o| o.get("quadrant") == q)
            .map(|o| o.get("meaning").to_string())
            .collect();
        push(
            t,
            r,
            format!("nfpa704:{q}:{rating}"),
            Field::Engineering,
            simple(
                vec![format!(
                    "On an NFPA 704 diamond, what does a {q} rating of {rating} mean?"
                )],
                meaning,
                others,
                format!("An NFPA 704 {q} rating of {rating} means: {{}}."),
                format!("NFPA 704 {q} {rating}: {meaning}."),
            ),
        );
    }

    let t = "occupational_limits.csv";
    for r in f.rows(t) {
        let chem = r.get("chemical");
        for (kind, label, vcol, ucol) in [
            (
                "pel",
                "OSHA permissible exposure limit (8-hour TWA)",
                "osha_pel_twa",
                "osha_pel_unit",
            ),
            (
                "rel",
                "NIOSH recommended exposure limit (TWA)",
                "niosh_rel_twa",
                "niosh_rel_unit",
            ),
            (
                "idlh",
                "NIOSH IDLH (immediately dangerous to life or health) value",
                "niosh_idlh",
                "niosh_idlh_unit",
            ),
        ] {
            let Ok(v) = r.get(vcol).parse::<f64>() else {
                continue;
            };
            // A ceiling is not a time-weighted average: the facts mark it in the unit cell.
            let raw_unit = r.get(ucol);
            let (unit, label) = match raw_unit.strip_suffix(" (ceiling)") {
                Some(u) if kind == "pel" => (u, "OSHA permissible exposure limit (ceiling)"),
                Some(u) => (u, "NIOSH recommended exposure limit (ceiling)"),
                None => (raw_unit, label),
            };
            let a = fmt_num(v);
            let mut k = simple(
                vec![
                    format!("What is the {label} for {chem}?"),
                    format!("For {chem}, what {label} is established?"),
                ],
                &format!("{a} {unit}"),
                ratio_distractors(v)
                    .into_iter()
                    .map(|d| format!("{d} {unit}"))
                    .collect(),
                format!("The {label} for {chem} is {{}}."),
                format!("The {label} for {chem} is {a} {unit}."),
            );
            k.accepted = vec![a.clone()];
            k.blanks = vec![format!("The {label} for {chem} is ____ {unit}.")];
            push(t, r, format!("{kind}:{chem}"), Field::Materials, k);
        }
    }

    let t = "biosafety_levels.csv";
    let rows = f.rows(t);
    let levels: Vec<String> = rows.iter().map(|r| r.get("level").to_string()).collect();
    for r in rows {
        let (lvl, desc, ex, pr) = (
            r.get("level"),
            r.get("description"),
            r.get("example_agents"),
            r.get("practices"),
        );
        let mut k = simple(
            vec![
                format!("Which biosafety level fits this description: {desc}?"),
                format!("Work with agents such as {ex} is normally done at which biosafety level?"),
            ],
            lvl,
            levels.clone(),
            format!("{ex} are typically handled at {{}}."),
            format!("{lvl}: {desc}. Typical practices: {pr}."),
        );
        k.claims
            .push((format!("Practices at {lvl} include: {pr}."), true));
        push(t, r, format!("bsl:{lvl}"), Field::Biology, k);
    }

    let t = "risk_groups.csv";
    for r in f.rows(t) {
        let (agent, rg) = (r.get("agent"), r.get("risk_group"));
        let answer = format!("Risk Group {rg}");
        let mut k = simple(
            vec![
                format!(
                    "Under the NIH Guidelines (Appendix B), {agent} is assigned to which risk group?"
                ),
                format!("What risk group do the NIH Guidelines give {agent}?"),
            ],
            &answer,
            (1..=4).map(|n| format!("Risk Group {n}")).collect(),
            format!("The NIH Guidelines place {agent} in {{}}."),
            format!("The NIH Guidelines assign {agent} to {answer}."),
        );
        k.accepted = vec![rg.to_string(), format!("RG{rg}")];
        push(t, r, format!("rg:{agent}"), Field::Biology, k);
    }

    let t = "controlled_lists.csv";
    let rows = f.rows(t);
    // Every list a name is on (overlap select agents are on both the HHS and the USDA list; some
    // toxins are also CWC Schedule 1): none of them may be offered as a wrong answer.
    let mut lists_of: std::collections::HashMap<String, Vec<&str>> =
        std::collections::HashMap::new();
    for r in rows {
        let entry = lists_of.entry(r.get("name").to_lowercase()).or_default();
        match r.get("list") {
            "select_agent_overlap" => entry.extend([
                "select_agent_overlap",
                "select_agent_hhs",
                "select_agent_usda",
            ]),
            l => entry.push(l),
        }
    }
    for r in rows {
        let (list, name) = (r.get("list"), r.get("name"));
        let (label, field) = list_label(list);
        let on = lists_of
            .get(&name.to_lowercase())
            .cloned()
            .unwrap_or_default();
        let others: Vec<String> = [
            "select_agent_hhs",
            "select_agent_usda",
            "cwc_schedule_1",
            "cwc_schedule_2",
            "cwc_schedule_3",
            "dea_schedule_I",
            "dea_schedule_II",
            "dea_schedule_III",
            "dea_schedule_IV",
            "dea_schedule_V",
        ]
        .iter()
        .filter(|l| **l != list && !on.contains(*l) && list_label(l).1 == field)
        .map(|l| list_label(l).0.to_string())
        .collect();
        let mut k = simple(
            vec![
                format!("On which regulatory list does {name} appear?"),
                format!("{name} is controlled under which list?"),
            ],
            label,
            others,
            format!("{name} is listed under {{}}."),
            format!("{name} is listed under {label}; possession and transfer are regulated."),
        );
        k.claims.push((
            format!("{name} is subject to regulatory control ({label})."),
            true,
        ));
        push(t, r, format!("list:{list}:{name}"), field, k);
    }

    let t = "radiation_limits.csv";
    for r in f.rows(t) {
        let (q, pop, unit, auth) = (
            r.get("quantity"),
            r.get("population"),
            r.get("unit"),
            r.get("authority"),
        );
        let Ok(v) = r.get("limit").parse::<f64>() else {
            continue;
        };
        let a = fmt_num(v);
        let mut k = simple(
            vec![
                format!("According to {auth}, what is the limit on {q} for {pop}?"),
                format!("What {q} limit does {auth} set for {pop}?"),
            ],
            &format!("{a} {unit}"),
            ratio_distractors(v)
                .into_iter()
                .map(|d| format!("{d} {unit}"))
                .collect(),
            format!("According to {auth}, the {q} limit for {pop} is {{}}."),
            format!("{auth} limits {q} for {pop} to {a} {unit}."),
        );
        k.accepted = vec![a.clone()];
        k.blanks = vec![format!(
            "According to {auth}, the {q} limit for {pop} is ____ {unit}."
        )];
        push(
            t,
            r,
            format!("radlimit:{q}:{pop}:{auth}"),
            Field::Physics,
            k,
        );
    }

    let t = "radiation_weighting.csv";
    let rows = f.rows(t);
    for r in rows {
        let (kind, name, factor) = (r.get("kind"), r.get("name"), r.get("factor"));
        if factor.is_empty() {
            continue;
        }
        let wf = if kind == "tissue" {
            "tissue weighting factor"
        } else {
            "radiation weighting factor"
        };
        let others: Vec<String> = rows
            .iter()
            .filter(|o| o.get("kind") == kind && !o.get("factor").is_empty())
            .map(|o| o.get("factor").to_string())
            .collect();
        let mut k = simple(
            vec![format!(
                "According to ICRP Publication 103, what is the {wf} for {name}?"
            )],
            factor,
            others,
            format!("According to ICRP Publication 103, the {wf} for {name} is {{}}."),
            format!("ICRP Publication 103 gives {name} a {wf} of {factor}."),
        );
        k.blanks = vec![format!(
            "According to ICRP Publication 103, the {wf} for {name} is ____."
        )];
        push(t, r, format!("weighting:{kind}:{name}"), Field::Physics, k);
    }

    let t = "antidotes.csv";
    let rows = f.rows(t);
    let antidotes: Vec<String> = rows.iter().map(|r| r.get("antidote").to_string()).collect();
    for r in rows {
        let (tox, anti) = (r.get("toxin"), r.get("antidote"));
        let mut k = simple(
            vec![
                format!("Which antidote is used for {tox} poisoning?"),
                format!("In clinical toxicology, what is the antidote for {tox}?"),
            ],
            anti,
            antidotes.clone(),
            format!("The antidote for {tox} poisoning is {{}}."),
            format!(
                "{anti} is the recognised antidote for {tox} poisoning; treatment is given by clinicians with poison-centre advice."
            ),
        );
        k.blanks = vec![format!("The antidote used for {tox} poisoning is ____.")];
        push(t, r, format!("antidote:{tox}"), Field::Medicine, k);
    }

    for (t, default_field) in [
        ("lab_safety.csv", Field::Chemistry),
        ("psychology_safety.csv", Field::Psychology),
    ] {
        for r in f.rows(t) {
            let q = r.get("question");
            let correct = r.get("correct");
            if q.is_empty() || correct.is_empty() {
                continue;
            }
            let field = if default_field == Field::Psychology {
                Field::Psychology
            } else {
                lab_field(r.get("topic"))
            };
            let k = Knowledge {
                questions: vec![q.to_string()],
                answer: correct.to_string(),
                distractors: distinct_except(
                    correct,
                    ["distractor1", "distractor2", "distractor3"]
                        .iter()
                        .map(|c| r.get(c).to_string()),
                ),
                rationale: format!("{correct} ({}).", r.citation()),
                ..Knowledge::default()
            };
            push(
                t,
                r,
                format!("{}:{}", t.trim_end_matches(".csv"), r.get("fact_id")),
                field,
                k,
            );
        }
    }
    out
}

/// Human label and field of a controlled list id.
pub fn list_label(list: &str) -> (&'static str, Field) {
    match list {
        "select_agent_hhs" => (
            "the HHS select agents and toxins list (42 CFR 73)",
            Field::Biology,
        ),
        "select_agent_usda" => (
            "the USDA select agents and toxins list (7 CFR 331 / 9 CFR 121)",
            Field::Biology,
        ),
        "select_agent_overlap" => ("the HHS/USDA overlap select agents list", Field::Biology),
        "cwc_schedule_1" => ("Chemical Weapons Convention Schedule 1", Field::Chemistry),
        "cwc_schedule_2" => ("Chemical Weapons Convention Schedule 2", Field::Chemistry),
        "cwc_schedule_3" => ("Chemical Weapons Convention Schedule 3", Field::Chemistry),
        "dea_schedule_I" => ("DEA Schedule I", Field::Medicine),
        "dea_schedule_II" => ("DEA Schedule II", Field::Medicine),
        "dea_schedule_III" => ("DEA Schedule III", Field::Medicine),
        "dea_schedule_IV" => ("DEA Schedule IV", Field::Medicine),
        "dea_schedule_V" => ("DEA Schedule V", Field::Medicine),
        _ => ("a national control list", Field::Chemistry),
    }
}

fn lab_field(topic: &str) -> Field {
    let t = topic.to_lowercase();
    if ["bio", "pathogen", "sharps", "autoclave"]
        .iter()
        .any(|k| t.contains(k))
    {
        Field::Biology
    } else if ["radi", "laser", "x-ray", "electr"]
        .iter()
        .any(|k| t.contains(k))
    {
        Field::Physics
    } else if ["cryo", "gas", "pressure", "fire", "extinguish", "machine"]
        .iter()
        .any(|k| t.contains(k))
    {
        Field::Engineering
    } else if ["waste", "storage", "ppe", "glove", "spill"]
        .iter()
        .any(|k| t.contains(k))
    {
        Field::Materials
    } else {
        Field::Chemistry
    }
}

/// A categorical fact: questions, answer, candidate distractors (answer removed), a claim
/// template (`{}` = value) and a rationale.
fn simple(
    questions: Vec<String>,
    answer: &str,
    pool: Vec<String>,
    claim: String,
    rationale: String,
) -> Knowledge {
    let distractors = distinct_except(answer, pool);
    let mut claims = vec![(claim.replace("{}", answer), true)];
    claims.extend(
        distractors
            .iter()
            .take(2)
            .map(|d| (claim.replace("{}", d), false)),
    );
    Knowledge {
        questions,
        answer: answer.to_string(),
        distractors,
        claims,
        rationale,
        ..Knowledge::default()
    }
}
