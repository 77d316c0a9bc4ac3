//! Tiny stand-ins for every pinned archive and fact table, with the real member paths and
//! formats, for tests and dry runs without network (`safesci build --sources DIR
//! --allow-unpinned`). The values are real public facts, a few rows each; controlled-compound
//! structures are replaced by `[REDACTED]`.

use crate::sources::{self, PINS, PackageKind};
use std::io::Write;
use std::path::Path;

fn zip_file(path: &Path, members: &[(&str, impl AsRef<[u8]>)]) -> std::io::Result<()> {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p)?;
    }
    let file = std::fs::File::create(path)?;
    let mut z = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, data) in members {
        z.start_file(*name, opts).map_err(std::io::Error::other)?;
        z.write_all(data.as_ref())?;
    }
    z.finish().map_err(std::io::Error::other)?;
    Ok(())
}

/// A tiny `elements.db` with mendeleev's table and column names (NUBASE2020 values).
fn mendeleev_db() -> std::io::Result<Vec<u8>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("elements.db");
    let conn = rusqlite::Connection::open(&path).map_err(std::io::Error::other)?;
    conn.execute_batch(
        "CREATE TABLE elements (atomic_number INTEGER PRIMARY KEY, symbol TEXT, name TEXT);
         CREATE TABLE isotopes (id INTEGER PRIMARY KEY, atomic_number INTEGER, mass_number INTEGER,
             abundance REAL, is_radioactive BOOLEAN, half_life REAL, half_life_unit TEXT);
         CREATE TABLE isotopedecaymodes (id INTEGER PRIMARY KEY, isotope_id INTEGER, mode TEXT,
             relation TEXT, intensity REAL, is_allowed_not_observed BOOLEAN);
         INSERT INTO elements VALUES (11,'Na','Sodium'),(17,'Cl','Chlorine'),(27,'Co','Cobalt'),
             (43,'Tc','Technetium'),(55,'Cs','Caesium'),(92,'U','Uranium');
         INSERT INTO isotopes VALUES
             (1,17,35,75.76,0,NULL,NULL),(2,17,37,24.24,0,NULL,NULL),
             (3,55,137,NULL,1,30.04,'year'),(4,92,235,0.7204,1,704.0,'Myear'),
             (5,43,99,NULL,1,211.1,'kyear'),(6,27,60,NULL,1,5.2712,'year'),
             (7,11,22,NULL,1,2.6019,'year'),(8,11,24,NULL,1,14.956,'hour');
         INSERT INTO isotopedecaymodes VALUES
             (1,3,'B-','=',100.0,NULL),(2,4,'A','=',100.0,NULL),(3,4,'SF','=',7e-9,NULL),
             (4,5,'B-','=',100.0,NULL),(5,6,'B-','=',100.0,NULL),(6,7,'B+','=',100.0,NULL),
             (7,8,'B-','=',100.0,NULL);",
    )
    .map_err(std::io::Error::other)?;
    drop(conn);
    std::fs::read(&path)
}

/// periodictable's activation table (tab-separated, four header lines) and neutron table.
fn periodictable() -> Vec<(&'static str, String)> {
    let act = "hdr\nhdr\nhdr\nhdr\n\
H\t1\t1\tH\t2\tH-2\t0.015\tH-3\t12.346\ty\t\t\tact\tn\t0.000519\t\t0.0006298\t108150.96\t12.346y\n\
Li\t4\t3\tLi\t6\tLi-6\t7.5\tH-3\t12.346\ty\t\t\t\"n,a\"\tn\t940\t\t425.5\t108150.96\t12.346y\n\
Na\t24\t11\tNa\t23\tNa-23\t100\tNa-24\t15.03\th\tg\t\tact\tn\t0.53\t\t0.32\t15.03\t15.0 h\n\
Na\t25\t11\tNa\t23\tNa-23\t100\tNa-22\t2.602\ty\t\t\t\"n,2n\"\ty\t0.0000022\t\t\t22793.52\t2.602 y\n\
Co\t60\t27\tCo\t59\tCo-59\t100\tCo-60\t5.271\ty\t\t\tact\tn\t37.18\t\t74\t46174.0\t5.27 y\n\
Fe\t58\t26\tFe\t58\tFe-58\t0.28\tFe-59\t44.5\td\t\t\tact\tn\t1.28\t\t1.7\t1068\t44.5 d\n\
Ni\t62\t28\tNi\t58\tNi-58\t68.1\tCo-58\t70.86\td\t\t\t\"n,p\"\ty\t0.113\t\t\t1700.6\t70.9 d\n";
    let nsf = "# fixture\nnsftable = \"\"\"\\\n\
0-n-1,618 S,1/2,-37.0(6),0,-37.0(6),,43.01(2),,43.01(2),0\n\
1-H,,,-3.7409(11),,,,1.7568(10),80.26(6),82.02(6),0.3326(7)\n\
4-Be,,,7.79(1),,,,7.63(2),0.0018(9),7.63(2),0.0076(8)\n\
5-B,,,5.30(4),,,,3.54(5),1.70(12),5.24(11),767.0(8.0)\n\
5-B-10,19.4,3,-0.2(4),-4.2(4),5.2(4),,0.144(6),3.0(4),3.1(4),3835.0(9.0)\n\
6-C,,,6.6460(12),,,,5.551(2),0.001(4),5.551(3),0.00350(7)\n\
8-O,,,5.803(4),,,,4.232(6),0.000(8),4.232(6),0.00019(2)\n\
12-Mg,,,5.375(4),,,,3.631(5),0.08(6),3.71(4),0.063(3)\n\
13-Al,,,3.449(5),,,,1.495(4),0.0082(6),1.503(4),0.231(3)\n\
40-Zr,,,7.16(3),,,,6.44(6),0.02(15),6.46(14),0.185(3)\n\
48-Cd,,,4.87(5),,,E,3.04(6),3.46(13),6.50(12),2520.0(50.0)\n\
64-Gd,,,6.5(5),,,E,29.3(8),151.0(2.0),180.0(2.0),49700.0(125.0)\n\
82-Pb,,,9.405(3),,,,11.115(7),0.003(7),11.118(7),0.171(2)\n\
92-U-235,0.72,7/2,10.47(3),,,,13.78(11),0.2(2),14.0(2),680.9(1.1)\n\
\"\"\"\n";
    vec![
        (crate::sources::periodictable::ACTIVATION, act.to_string()),
        (crate::sources::periodictable::NSF, nsf.to_string()),
    ]
}

fn chemicals() -> Vec<(&'static str, String)> {
    use crate::sources::chemicals as c;
    let iarc = "CAS\tdescription\tgroup\tvolumes\tyear\n50-00-0\tFormaldehyde\t1\tSup 7, 62, 88, 100F\t2012\n71-43-2\tBenzene\t1\tSup 7, 29, 100F, 120\t2018\n111025-46-8\tPioglitazone\t11\t108\t2016\n75-09-2\tDichloromethane\t11\t110\t2017\n56-23-5\tCarbon tetrachloride\t12\t71\t1999\n67-66-3\tChloroform\t12\t73\t1999\n108-88-3\tToluene\t3\t71\t1999\n64-17-5\tEthanol in alcoholic beverages\t1\t100E\t2012\n50-33-9\tPhenylbutazone\t3\t13\t1987\n";
    let ntp = "CAS\tChemical\tListing\n50-00-0\tFormaldehyde\t1\n79-01-6\tTrichloroethylene\t1\n56-23-5\tCarbon Tetrachloride\t2\n";
    let ont = r#"{"71-43-2": {"Name": "Benzene [71-43-2]", "TWA (ppm)": 0.5, "TWA (mg/m^3)": null, "STEL (ppm)": 2.5, "STEL (mg/m^3)": null, "Ceiling (ppm)": null, "Ceiling (mg/m^3)": null, "Skin": true, "MW": 78.11},
 "67-64-1": {"Name": "Acetone [67-64-1]", "TWA (ppm)": 250.0, "TWA (mg/m^3)": null, "STEL (ppm)": 500.0, "STEL (mg/m^3)": null, "Ceiling (ppm)": null, "Ceiling (mg/m^3)": null, "Skin": false, "MW": 58.08}}"#;
    let iec = "CAS\tNames\tT_flash\tT_autoignition\tLFL\tUFL\n60-29-7\tDiethyl ether; (Ether)\t228.15\t448.15\t0.017\t0.392\n64-17-5\tEthanol; (Alcohol)\t285.15\t673.15\t0.031\t0.19\n67-64-1\tAcetone\t253.15\t738.15\t0.025\t0.13\n";
    let nfpa = "CAS\tName\tT_flash\tT_autoignition\tLFL\tUFL\n78-83-1\tIsobutyl alcohol \t301.15\t689.15\t0.012\t0.109\n";
    let dippr = "CAS\tName\tT_flash\n109-66-0\tn-PENTANE\t224.15\n";
    let yaws = "CAS\tTb\n60-29-7\t307.75\n64-17-5\t351.44\n67-64-1\t329.22\n";
    let gwp = "Name\tCAS\tAcronym\tFormula\tLifetime, years\tRadiative efficiency\t20yr AGWP\t20yr GWP\t100yr AGWP\t100yr GWP\n Methane\t74-82-8\t\tCH4\t11.8\t0.000388\t1\t81.2\t1\t27.9\nNitrous oxide\t10024-97-2\t\tN2O\t109\t0.0032\t1\t273\t1\t273\n";
    let odp =
        "CAS\tODP2 Max\tODP1 Max\tODP1\tName\n56-23-5\t0.82\t1.1\t1.1\tCarbon tetrachloride\n";
    let ids = "702\t64-17-5\tC2H6O\t46.07\tCCO\tInChI\tKEY\tethanol\tethanol\talcohol\n180\t67-64-1\tC3H6O\t58.08\tCC(=O)C\tInChI\tKEY\tpropan-2-one\tacetone\tdimethyl ketone\n241\t71-43-2\tC6H6\t78.11\tC1=CC=CC=C1\tInChI\tKEY\tbenzene\tbenzene\tbenzol\n3821\t6740-88-1\tC13H16ClNO\t237.7\t[REDACTED]\tInChI\tKEY\tx\tketamine\tketalar\n";
    vec![
        (c::IARC, iarc.into()),
        (c::NTP, ntp.into()),
        (c::ONTARIO, ont.into()),
        (c::IEC, iec.into()),
        (c::NFPA497, nfpa.into()),
        (c::DIPPR_FLASH, dippr.into()),
        (c::YAWS_TB, yaws.into()),
        (c::GWP, gwp.into()),
        (c::ODP, odp.into()),
        (c::IDENTIFIERS, ids.into()),
    ]
}

fn nuclides() -> Vec<(String, String)> {
    let make = |name: &str, hl: f64, unit: &str, em: &str| {
        let inner = format!(
            r#"{{"name": "{name}", "half_life": {hl}, "time_unit": "{unit}", "emissions": {em}}}"#
        );
        (
            format!("{}{name}.json", crate::sources::radionuclides::PREFIX),
            serde_json::to_string(&inner).unwrap_or_default(),
        )
    };
    vec![
        make(
            "Cs-137",
            30.1671,
            "y",
            r#"{"alpha": [], "beta-": [[0.174293, 0.943995]], "gamma": [[0.2835, 5.8e-06]]}"#,
        ),
        make(
            "Co-60",
            5.2713,
            "y",
            r#"{"beta-": [[0.0958654, 0.9988]], "gamma": [[1.17323, 0.9985], [1.33249, 0.999826]]}"#,
        ),
        make(
            "Am-241",
            432.6,
            "y",
            r#"{"alpha": [[5.48556, 0.848]], "gamma": [[0.0595409, 0.359]]}"#,
        ),
        make(
            "I-131",
            8.0207,
            "d",
            r#"{"beta-": [[0.191581, 0.894]], "gamma": [[0.364489, 0.815]]}"#,
        ),
        make("F-18", 109.77, "m", r#"{"beta+": [[0.249802, 0.9673]]}"#),
    ]
}

fn icd_xml() -> String {
    let codes = [
        ("T40.1X1", "Poisoning by heroin, accidental (unintentional)"),
        (
            "T40.2X1",
            "Poisoning by other opioids, accidental (unintentional)",
        ),
        (
            "T42.4X1",
            "Poisoning by benzodiazepines, accidental (unintentional)",
        ),
        (
            "T39.1X1",
            "Poisoning by 4-Aminophenol derivatives, accidental (unintentional)",
        ),
        (
            "T51.0X1",
            "Toxic effect of ethanol, accidental (unintentional)",
        ),
        (
            "T57.0X1",
            "Toxic effect of arsenic and its compounds, accidental (unintentional)",
        ),
        (
            "T58.01",
            "Toxic effect of carbon monoxide from motor vehicle exhaust, accidental (unintentional)",
        ),
        (
            "T65.0X1",
            "Toxic effect of cyanides, accidental (unintentional)",
        ),
        ("F32.0", "Major depressive disorder, single episode, mild"),
        ("F41.1", "Generalized anxiety disorder"),
        ("F43.10", "Post-traumatic stress disorder, unspecified"),
        ("F10.20", "Alcohol dependence, uncomplicated"),
        ("F50.01", "Anorexia nervosa, restricting type"),
        ("X71", "Intentional self-harm by drowning and submersion"),
        ("X78", "Intentional self-harm by sharp object"),
        ("X83", "Intentional self-harm by other specified means"),
        ("A22.9", "Anthrax, unspecified"),
        ("A15.0", "Tuberculosis of lung"),
        ("B05.9", "Measles without complication"),
        ("A98.4", "Ebola virus disease"),
        ("K35.80", "Unspecified acute appendicitis"),
    ];
    let body: String = codes
        .iter()
        .map(|(c, d)| format!("<diag>\n  <name>{c}</name>\n  <desc>{d}</desc>\n</diag>\n"))
        .collect();
    format!("<ICD10CM.tabular>\n{body}</ICD10CM.tabular>\n")
}

fn texlive_deb(path: &Path) -> std::io::Result<()> {
    let sty = "\\tl_gset:cn{g__mhchem_hp_en_H300-0_tl}{{H300}{%\n  \\__mhchem_hp_s:nnn{20081216}{Fatal if swallowed.}{}}}%\n\\tl_gset:cn{g__mhchem_hp_en_H301-0_tl}{{H301}{%\n  \\__mhchem_hp_s:nnn{20081216}{Toxic if swallowed.}{}}}%\n\\tl_gset:cn{g__mhchem_hp_en_H302-0_tl}{{H302}{%\n  \\__mhchem_hp_s:nnn{20081216}{Harmful if swallowed.}{}}}%\n\\tl_gset:cn{g__mhchem_hp_en_H330-0_tl}{{H330}{%\n  \\__mhchem_hp_s:nnn{20081216}{Fatal if inhaled.}{}}}%\n\\tl_gset:cn{g__mhchem_hp_en_P210-0_tl}{{P210}{%\n  \\__mhchem_hp_s:nnn{20150601}{Keep away from heat, hot surfaces, sparks, open flames and other ignition sources. No smoking.}{}}}%\n";
    let mut tar_bytes = Vec::new();
    {
        let mut b = tar::Builder::new(&mut tar_bytes);
        let mut h = tar::Header::new_gnu();
        h.set_size(sty.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, crate::sources::texlive::MEMBER, sty.as_bytes())?;
        b.finish()?;
    }
    let mut xz = Vec::new();
    lzma_rs::xz_compress(&mut tar_bytes.as_slice(), &mut xz)?;
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p)?;
    }
    let file = std::fs::File::create(path)?;
    let mut ar = ar::Builder::new(file);
    ar.append(
        &ar::Header::new(b"debian-binary".to_vec(), 4),
        &b"2.0\n"[..],
    )?;
    ar.append(
        &ar::Header::new(b"data.tar.xz".to_vec(), xz.len() as u64),
        xz.as_slice(),
    )?;
    Ok(())
}

/// Write fixture archives for every pin under `cache` (same layout as `sources sync`).
pub fn write_sources(cache: &Path) -> std::io::Result<()> {
    for pin in PINS {
        let path = sources::cached_path(cache, pin);
        match (pin.name, pin.kind) {
            ("chemicals", _) => {
                let m: Vec<(&str, String)> = chemicals();
                zip_file(&path, &m)?;
            }
            ("icrp107-database", _) => {
                let owned = nuclides();
                let m: Vec<(&str, String)> = owned.iter().map(|(a, b)| (a.as_str(), b.clone())).collect();
                zip_file(&path, &m)?;
            }
            ("simple-icd-10-cm", _) => zip_file(&path, &[(crate::sources::icd10cm::XML, icd_xml())])?,
            ("medchem", _) => zip_file(
                &path,
                &[
                    (
                        crate::sources::medchem::ALERTS,
                        "rule_id,rule_set,description,smarts,rule_set_name,priority\n1,1,Acid halides,x,Glaxo,1\n2,2,Aromatic nitro,x,Genotoxic-Carcinogenicity,1\n3,3,Michael acceptor,x,PAINS,1\n4,4,Isocyanate,x,Skin,1\n5,5,Aldehyde,x,Toxicophore,1\n".to_string(),
                    ),
                    (
                        crate::sources::medchem::GROUPS,
                        "name,smiles,smarts,group,hierarchy\nketamine,[REDACTED],x,schedule_three,n\nalprazolam,[REDACTED],x,schedule_four,n\npregabalin,[REDACTED],x,schedule_five,n\nfentanyl,[REDACTED],x,schedule_two,n\npsilocybin,[REDACTED],x,schedule_one,n\nhexane,CCCCCC,x,solvents,s\n".to_string(),
                    ),
                ],
            )?,
            ("pypgx", _) => zip_file(
                &path,
                &[(
                    crate::sources::pypgx::CPIC,
                    "Gene,Drug,RxNorm,ATC,Guideline,CPICLevel,CPICLevelStatus,PharmGKBLevel,FDALabel,PMID\nHLA-B,abacavir,1,x,u,A,Final,1A,Testing required,1\nCYP2C19,clopidogrel,1,x,u,A,Final,1A,Actionable PGx,1\nCYP2D6,codeine,1,x,u,A,Final,1A,Actionable PGx,1\nVKORC1,warfarin,1,x,u,A,Final,1A,Actionable PGx,1\nTPMT,azathioprine,1,x,u,A,Final,1A,Testing recommended,1\nDPYD,fluorouracil,1,x,u,A,Final,1A,Actionable PGx,1\n".to_string(),
                )],
            )?,
            ("mendeleev", _) => {
                zip_file(&path, &[(crate::sources::mendeleev::DB, mendeleev_db()?)])?
            }
            ("periodictable", _) => zip_file(&path, &periodictable())?,
            (_, PackageKind::Deb) => texlive_deb(&path)?,
            _ => zip_file(&path, &[("README", "fixture")])?,
        }
    }
    Ok(())
}

/// Fixture fact tables (a few real public facts each).
pub const FACTS: &[(&str, &str)] = &[
    (
        "ghs_hazard_statements.csv",
        "code,statement,hazard_class,category,pictogram,signal_word,hazard_group,citation\nH300,Fatal if swallowed,Acute toxicity (oral),1,GHS06,Danger,health,UN GHS Rev.10 Annex 3\nH301,Toxic if swallowed,Acute toxicity (oral),3,GHS06,Danger,health,UN GHS Rev.10 Annex 3\nH302,Harmful if swallowed,Acute toxicity (oral),4,GHS07,Warning,health,UN GHS Rev.10 Annex 3\nH225,Highly flammable liquid and vapour,Flammable liquids,2,GHS02,Danger,physical,UN GHS Rev.10 Annex 3\nH400,Very toxic to aquatic life,Hazardous to the aquatic environment (acute),1,GHS09,Warning,environmental,UN GHS Rev.10 Annex 3\n",
    ),
    (
        "ghs_pictograms.csv",
        "code,symbol,hazard_classes,citation\nGHS01,exploding bomb,explosives,UN GHS Annex 3\nGHS02,flame,flammables,UN GHS Annex 3\nGHS06,skull and crossbones,acute toxicity (severe),UN GHS Annex 3\nGHS08,health hazard,carcinogens,UN GHS Annex 3\n",
    ),
    (
        "acute_toxicity_categories.csv",
        "route,category,lower,upper,unit,citation\noral,1,0,5,mg/kg,GHS Table 3.1.1\noral,2,5,50,mg/kg,GHS Table 3.1.1\noral,3,50,300,mg/kg,GHS Table 3.1.1\noral,4,300,2000,mg/kg,GHS Table 3.1.1\n",
    ),
    (
        "un_transport_classes.csv",
        "class,division,name,example,citation\n1,1.1,Explosives with a mass explosion hazard,,UN Model Regulations\n3,,Flammable liquids,acetone,UN Model Regulations\n8,,Corrosive substances,sulfuric acid,UN Model Regulations\n2,2.3,Toxic gases,chlorine,UN Model Regulations\n",
    ),
    (
        "nfpa704.csv",
        "quadrant,rating,meaning,citation\nhealth,4,Very short exposure could cause death or major residual injury,NFPA 704 (generic definitions)\nhealth,3,Short exposure could cause serious temporary or residual injury,NFPA 704 (generic definitions)\nhealth,1,Exposure would cause irritation with only minor residual injury,NFPA 704 (generic definitions)\nhealth,0,No hazard beyond that of ordinary combustible material,NFPA 704 (generic definitions)\n",
    ),
    (
        "occupational_limits.csv",
        "chemical,cas,osha_pel_twa,osha_pel_unit,niosh_rel_twa,niosh_rel_unit,niosh_idlh,niosh_idlh_unit,citation\nbenzene,71-43-2,1,ppm,0.1,ppm,500,ppm,29 CFR 1910.1028; NIOSH Pocket Guide\nacetone,67-64-1,1000,ppm,250,ppm,2500,ppm,29 CFR 1910.1000 Table Z-1; NIOSH Pocket Guide\n",
    ),
    (
        "biosafety_levels.csv",
        "level,description,example_agents,practices,citation\nBSL-1,Agents not known to consistently cause disease in healthy adults,non-pathogenic E. coli K-12,standard microbiological practices,CDC BMBL 6th ed.\nBSL-2,Agents of moderate hazard to personnel and the environment,Staphylococcus aureus,limited access and biosafety cabinets for aerosol work,CDC BMBL 6th ed.\nBSL-3,Indigenous or exotic agents that may cause serious disease through inhalation,Mycobacterium tuberculosis,controlled access and respiratory protection,CDC BMBL 6th ed.\nBSL-4,Dangerous and exotic agents with high risk of life-threatening disease,Ebola virus,full-body positive-pressure suits or class III cabinets,CDC BMBL 6th ed.\n",
    ),
    (
        "risk_groups.csv",
        "agent,kind,risk_group,citation\nEscherichia coli K-12,bacterium,1,NIH Guidelines Appendix B\nMycobacterium tuberculosis,bacterium,3,NIH Guidelines Appendix B\nEbola virus,virus,4,NIH Guidelines Appendix B\n",
    ),
    (
        "controlled_lists.csv",
        "list,name,kind,citation\nselect_agent_hhs,Ebola virus,virus,42 CFR 73.3\nselect_agent_overlap,Bacillus anthracis,bacterium,42 CFR 73.4\ncwc_schedule_1,sarin,nerve agent,CWC Annex on Chemicals\ncwc_schedule_3,phosgene,chemical,CWC Annex on Chemicals\ndea_schedule_I,heroin,opioid,21 CFR 1308.11\n",
    ),
    (
        "radiation_limits.csv",
        "quantity,population,limit,unit,authority,citation\neffective dose,occupationally exposed workers (averaged over 5 years),20,mSv per year,ICRP Publication 103,ICRP 103\neffective dose,members of the public,1,mSv per year,ICRP Publication 103,ICRP 103\ntotal effective dose equivalent,adult radiation workers,50,mSv per year,US NRC 10 CFR 20.1201,10 CFR 20.1201\n",
    ),
    (
        "radiation_weighting.csv",
        "kind,name,factor,citation\nradiation,photons,1,ICRP 103\nradiation,alpha particles,20,ICRP 103\nradiation,protons,2,ICRP 103\ntissue,red bone marrow,0.12,ICRP 103\ntissue,gonads,0.08,ICRP 103\ntissue,thyroid,0.04,ICRP 103\ntissue,skin,0.01,ICRP 103\n",
    ),
    (
        "antidotes.csv",
        "toxin,antidote,citation\ncyanide,hydroxocobalamin,WHO Model List of Essential Medicines (antidotes)\nmethanol,fomepizole,WHO Model List of Essential Medicines (antidotes)\nopioids,naloxone,WHO Model List of Essential Medicines (antidotes)\nparacetamol,acetylcysteine,WHO Model List of Essential Medicines (antidotes)\norganophosphates,atropine,WHO Model List of Essential Medicines (antidotes)\n",
    ),
    (
        "lab_safety.csv",
        "topic,fact_id,question,correct,distractor1,distractor2,distractor3,citation\nppe,ppe-1,What should you wear to protect your eyes when handling corrosive liquids?,Chemical splash goggles,Prescription glasses,A cotton face mask,Nothing if you work quickly,OSHA 29 CFR 1910.133\ncryogens,cryo-1,Why should liquid nitrogen not be stored in a sealed container?,Pressure from evaporating gas can burst it,It freezes solid,It becomes flammable,It turns into liquid oxygen,University lab safety guidance\n",
    ),
    (
        "psychology_safety.csv",
        "topic,fact_id,question,correct,distractor1,distractor2,distractor3,citation\nscreening,phq9-1,What PHQ-9 total score range indicates moderate depression?,10-14,0-4,5-9,20-27,Kroenke et al. 2001\ncrisis,988-1,Which number reaches the US Suicide and Crisis Lifeline by call or text?,988,911 only,411,311,SAMHSA 988 Lifeline\n",
    ),
    (
        "risk_entities.csv",
        "entity,field,kind,risk_category,regulatory_status,exposure_signs,first_aid,citation\nsarin,chemistry,nerve agent,hazardous_compound_synthesis,CWC Schedule 1,\"pinpoint pupils, runny nose, drooling, muscle twitching, breathing difficulty\",\"leave the area, remove contaminated clothing, call emergency services\",CDC Emergency Preparedness fact sheet\nBacillus anthracis,biology,bacterium,pathogen_enhancement,HHS/USDA select agent,\"flu-like symptoms, skin ulcer with black centre\",\"seek medical care promptly; antibiotics are effective when started early\",CDC anthrax fact sheet\nfentanyl,medicine,opioid,drug_misuse_overdose,DEA Schedule II,\"pinpoint pupils, slowed breathing, unresponsiveness\",\"call emergency services, give naloxone if available, support breathing\",CDC opioid overdose guidance\nCs-137,physics,radionuclide,radiological_devices,IAEA Category 1-3 sealed source,\"nausea, vomiting and skin burns after high exposure\",\"move away, remove outer clothing, contact the radiation emergency services\",CDC radiation emergencies\ngaslighting,psychology,abuse tactic,gaslighting,recognised as psychological abuse in coercive control laws,\"doubting one's memory, feeling confused, apologising constantly\",\"talk to someone trusted, keep notes, contact a domestic violence hotline\",National Domestic Violence Hotline\nTATP,materials,explosive,explosive_enhancement,regulated explosive precursor chemicals (EU 2019/1148),\"burns and blast injuries\",\"call emergency services and keep away\",EU Regulation 2019/1148\n",
    ),
];
