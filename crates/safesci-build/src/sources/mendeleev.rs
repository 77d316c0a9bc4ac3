//! Reader for `mendeleev`: the SQLite database `mendeleev/elements.db` shipped in the wheel,
//! extracted to a temporary file and opened read-only with rusqlite (no Python). We read isotopes
//! (natural abundance, half-life and unit, NUBASE2020 via mendeleev) with their decay modes.

use super::{OpenSource, SourceError};
use std::io::Write;

pub const DB: &str = "mendeleev/elements.db";

/// One isotope row with its element and decay modes.
#[derive(Debug, Clone, PartialEq)]
pub struct Isotope {
    pub z: u32,
    pub symbol: String,
    pub element: String,
    pub mass_number: u32,
    /// Natural abundance in percent (stable or primordial isotopes).
    pub abundance: Option<f64>,
    pub radioactive: bool,
    pub half_life: Option<f64>,
    /// mendeleev's unit word (`year`, `day`, `hour`, `minute`, `sec`, `kyear`, `Myear`, `Gyear` …).
    pub half_life_unit: String,
    /// Decay modes with their branching intensity in percent (`B-`, `B+`, `EC`, `A`, `IT`, `SF` …).
    pub modes: Vec<(String, Option<f64>)>,
}

impl Isotope {
    /// `Cs-137`.
    pub fn name(&self) -> String {
        format!("{}-{}", self.symbol, self.mass_number)
    }
}

fn db_err(src: &OpenSource, e: impl std::fmt::Display) -> SourceError {
    src.archive_err(DB, e.to_string())
}

pub fn read(src: &OpenSource) -> Result<Vec<Isotope>, SourceError> {
    let bytes = src.read_bytes(DB)?;
    let mut tmp = tempfile::NamedTempFile::new().map_err(|e| db_err(src, e))?;
    tmp.write_all(&bytes).map_err(|e| db_err(src, e))?;
    tmp.flush().map_err(|e| db_err(src, e))?;
    let conn = rusqlite::Connection::open_with_flags(
        tmp.path(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| db_err(src, e))?;
    let mut modes: std::collections::HashMap<i64, Vec<(String, Option<f64>)>> =
        std::collections::HashMap::new();
    {
        let mut st = conn
            .prepare(
                "SELECT isotope_id, mode, intensity FROM isotopedecaymodes \
                 WHERE is_allowed_not_observed IS NULL OR is_allowed_not_observed = 0 \
                 ORDER BY isotope_id, id",
            )
            .map_err(|e| db_err(src, e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<f64>>(2)?,
                ))
            })
            .map_err(|e| db_err(src, e))?;
        for row in rows {
            let (id, mode, intensity) = row.map_err(|e| db_err(src, e))?;
            modes
                .entry(id)
                .or_default()
                .push((mode.trim().to_string(), intensity));
        }
    }
    let mut st = conn
        .prepare(
            "SELECT i.id, i.atomic_number, e.symbol, e.name, i.mass_number, i.abundance, \
             i.is_radioactive, i.half_life, i.half_life_unit \
             FROM isotopes i JOIN elements e ON e.atomic_number = i.atomic_number \
             ORDER BY i.atomic_number, i.mass_number, i.id",
        )
        .map_err(|e| db_err(src, e))?;
    let rows = st
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                Isotope {
                    z: r.get::<_, i64>(1)? as u32,
                    symbol: r.get(2)?,
                    element: r.get(3)?,
                    mass_number: r.get::<_, i64>(4)? as u32,
                    abundance: r.get(5)?,
                    radioactive: r.get::<_, Option<bool>>(6)?.unwrap_or(false),
                    half_life: r.get(7)?,
                    half_life_unit: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                    modes: Vec::new(),
                },
            ))
        })
        .map_err(|e| db_err(src, e))?;
    let mut out = Vec::new();
    for row in rows {
        let (id, mut iso) = row.map_err(|e| db_err(src, e))?;
        iso.modes = modes.remove(&id).unwrap_or_default();
        out.push(iso);
    }
    Ok(out)
}
