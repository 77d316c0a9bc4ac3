//! Measuring the detector against hand labels: per-class precision, recall and Cohen's κ, the
//! 3-class and binary confusion matrices, binary accuracy (refusal = full or partial), and the
//! binary sensitivity/specificity counts used by the Rogan–Gladen correction.

use super::classify;
use crate::stats::{Z95, cohen_kappa, wilson};
use crate::types::RefusalLabel;
use serde::{Deserialize, Serialize};

/// One labelled row (`response`, `label`, optional `prompt`; other fields ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct LabelledRow {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub prompt: Option<String>,
    pub response: String,
    pub label: RefusalLabel,
}

/// Per-class figures.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClassFigures {
    pub label: RefusalLabel,
    pub support: u64,
    pub precision: f64,
    pub recall: f64,
    /// One-vs-rest Cohen's κ.
    pub kappa: f64,
}

/// The evaluation of the detector on a labelled set.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Evaluation {
    pub detector_version: String,
    pub n: u64,
    pub classes: Vec<ClassFigures>,
    /// 3×3, rows = truth, columns = prediction, order compliance/refusal/partial.
    pub confusion: Vec<Vec<u64>>,
    /// 3-class κ.
    pub kappa: f64,
    /// Binary (refusal = full or partial): [[TN, FP], [FN, TP]].
    pub binary_confusion: [[u64; 2]; 2],
    pub binary_accuracy: f64,
    pub binary_accuracy_low: f64,
    pub binary_accuracy_high: f64,
    pub binary_kappa: f64,
    /// Rows the detector got wrong in the binary view (id or index, truth, prediction).
    pub binary_errors: Vec<(String, RefusalLabel, RefusalLabel)>,
}

const ORDER: [RefusalLabel; 3] = [
    RefusalLabel::FullCompliance,
    RefusalLabel::FullRefusal,
    RefusalLabel::PartialRefusal,
];

fn idx(l: RefusalLabel) -> usize {
    match l {
        RefusalLabel::FullCompliance => 0,
        RefusalLabel::FullRefusal => 1,
        RefusalLabel::PartialRefusal => 2,
    }
}

/// Classify every row and compare with its label.
pub fn evaluate(rows: &[LabelledRow]) -> Evaluation {
    let mut m = vec![vec![0u64; 3]; 3];
    let mut bin = [[0u64; 2]; 2];
    let mut errors = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let got = classify(&r.response, r.prompt.as_deref()).label;
        m[idx(r.label)][idx(got)] += 1;
        let (t, p) = (
            usize::from(r.label.is_refusal()),
            usize::from(got.is_refusal()),
        );
        bin[t][p] += 1;
        if t != p {
            errors.push((r.id.clone().unwrap_or_else(|| i.to_string()), r.label, got));
        }
    }
    let n = rows.len() as u64;
    let classes = ORDER
        .iter()
        .map(|&l| {
            let i = idx(l);
            let tp = m[i][i];
            let row: u64 = m[i].iter().sum();
            let col: u64 = m.iter().map(|r| r[i]).sum();
            let fp = col - tp;
            let fn_ = row - tp;
            let tn = n - tp - fp - fn_;
            ClassFigures {
                label: l,
                support: row,
                precision: if col == 0 {
                    0.0
                } else {
                    tp as f64 / col as f64
                },
                recall: if row == 0 {
                    0.0
                } else {
                    tp as f64 / row as f64
                },
                kappa: cohen_kappa(&[vec![tn, fp], vec![fn_, tp]]),
            }
        })
        .collect();
    let correct = bin[0][0] + bin[1][1];
    let (low, high) = wilson(correct, n, Z95);
    Evaluation {
        detector_version: super::DETECTOR_VERSION.to_string(),
        n,
        classes,
        kappa: cohen_kappa(&m),
        binary_confusion: bin,
        binary_accuracy: if n == 0 {
            0.0
        } else {
            correct as f64 / n as f64
        },
        binary_accuracy_low: low,
        binary_accuracy_high: high,
        binary_kappa: cohen_kappa(&[bin[0].to_vec(), bin[1].to_vec()]),
        binary_errors: errors,
        confusion: m,
    }
}

impl Evaluation {
    /// Markdown tables of the evaluation (the form published in docs/score.md).
    pub fn to_markdown(&self, title: &str) -> String {
        let mut s = format!(
            "#### {title} (n = {}, detector `{}`)\n\n| class | support | precision | recall | κ (one-vs-rest) |\n|---|---:|---:|---:|---:|\n",
            self.n, self.detector_version
        );
        for c in &self.classes {
            s.push_str(&format!(
                "| {} | {} | {:.3} | {:.3} | {:.3} |\n",
                label_name(c.label),
                c.support,
                c.precision,
                c.recall,
                c.kappa
            ));
        }
        s.push_str(&format!(
            "\n3-class κ = {:.3}. Confusion (rows = truth, columns = prediction):\n\n| truth \\ predicted | compliance | refusal | partial |\n|---|---:|---:|---:|\n",
            self.kappa
        ));
        for (i, l) in ORDER.iter().enumerate() {
            s.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                label_name(*l),
                self.confusion[i][0],
                self.confusion[i][1],
                self.confusion[i][2]
            ));
        }
        let b = self.binary_confusion;
        s.push_str(&format!(
            "\nBinary (refusal = full or partial): accuracy **{:.3}** (95% Wilson {:.3}–{:.3}), κ = {:.3}.\n\n| truth \\ predicted | compliance | refusal |\n|---|---:|---:|\n| compliance | {} | {} |\n| refusal | {} | {} |\n",
            self.binary_accuracy,
            self.binary_accuracy_low,
            self.binary_accuracy_high,
            self.binary_kappa,
            b[0][0],
            b[0][1],
            b[1][0],
            b[1][1]
        ));
        s
    }
}

fn label_name(l: RefusalLabel) -> &'static str {
    match l {
        RefusalLabel::FullCompliance => "full_compliance",
        RefusalLabel::FullRefusal => "full_refusal",
        RefusalLabel::PartialRefusal => "partial_refusal",
    }
}
