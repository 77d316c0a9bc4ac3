//! Registry sources: the pinned packages the builder reads, the cache they live in, `sync`
//! (download + sha256 check) and [`SourceSet`] (open archives, read member files). Parsing of each
//! package's data lives in one file per package next to this one; nothing here imports Python.

pub mod chemicals;
pub mod icd10cm;
pub mod medchem;
pub mod mendeleev;
pub mod periodictable;
pub mod pypgx;
pub mod radionuclides;
pub mod texlive;

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Environment variable that overrides the cache directory.
pub const CACHE_ENV: &str = "SAFESCI_CACHE_DIR";

/// How a pinned source is packaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PackageKind {
    /// A Python wheel fetched with `pip download --no-deps`.
    Wheel,
    /// A Debian package fetched with `apt-get download`.
    Deb,
}

/// One pinned package: exact version, expected file name and sha256, and the terms of its data.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Pin {
    pub name: &'static str,
    pub version: &'static str,
    pub file: &'static str,
    pub sha256: &'static str,
    pub kind: PackageKind,
    /// The build fails without it (optional ones only add items).
    pub required: bool,
    pub licence: &'static str,
}

/// Every source the builder knows. Hashes were taken from the files as downloaded on 2026-11-28.
pub const PINS: &[Pin] = &[
    Pin {
        name: "chemicals",
        version: "1.5.2",
        file: "chemicals-1.5.2-py3-none-any.whl",
        sha256: "f85ef7f36e77fee634686c26562929ee61026cd548d89cebd57b2251ca843d6e",
        kind: PackageKind::Wheel,
        required: true,
        licence: "MIT (package); IARC list is the 2020 snapshot; IEC 60079-20-1 / NFPA 497 values are facts, tables not reproduced",
    },
    Pin {
        name: "icrp107-database",
        version: "0.0.3",
        file: "icrp107_database-0.0.3-py3-none-any.whl",
        sha256: "3899cc5ee7bb6c332bd930c2505686a2def89a01dcbbeb05b3ea2dca1e51d601",
        kind: PackageKind::Wheel,
        required: false,
        licence: "LGPL-3 (package); ICRP-07 data: educational, research and not-for-profit use only",
    },
    Pin {
        name: "radioactivedecay",
        version: "0.6.1",
        file: "radioactivedecay-0.6.1-py3-none-any.whl",
        sha256: "b0eec1e57ba62154220585dd04bd4a41a5c031d3e2bef5ebeaff798a51fa8465",
        kind: PackageKind::Wheel,
        required: false,
        licence: "MIT (code); ICRP-07 data: educational, research and not-for-profit use only (cached for reference; half-lives are read from icrp107-database JSON, not the pickled .npz)",
    },
    Pin {
        name: "simple-icd-10-cm",
        version: "1.5.0",
        file: "simple_icd_10_cm-1.5.0-py3-none-any.whl",
        sha256: "6d461d71dc26aedc530ae65f02cfb578a154e49507c32e8241e75f701d4b7e42",
        kind: PackageKind::Wheel,
        required: true,
        licence: "MIT (package); ICD-10-CM April 2026 is a US government work (public domain)",
    },
    Pin {
        name: "medchem",
        version: "2.1.1",
        file: "medchem-2.1.1-py3-none-any.whl",
        sha256: "1590cdd1577098558ddbd3da84b1cd8adae4373df71ae6301ea1c384290237db",
        kind: PackageKind::Wheel,
        required: true,
        licence: "Apache-2.0; DEA schedule membership used by name only, structures never emitted",
    },
    Pin {
        name: "pypgx",
        version: "0.27.0",
        file: "pypgx-0.27.0-py3-none-any.whl",
        sha256: "95303696c51a5d21f44f0f3771ecd142ac30f9c6c1025dcd642352fdd4544d40",
        kind: PackageKind::Wheel,
        required: true,
        licence: "MIT (package); CPIC content CC0",
    },
    Pin {
        name: "mendeleev",
        version: "1.3.0",
        file: "mendeleev-1.3.0-py3-none-any.whl",
        sha256: "76f415767b654634e51dead755513ef431abf200e892eab8468aa659ff218d1c",
        kind: PackageKind::Wheel,
        required: false,
        licence: "MIT; isotope data NUBASE2020 (Kondev et al. 2021, CC BY 3.0)",
    },
    Pin {
        name: "periodictable",
        version: "2.1.0",
        file: "periodictable-2.1.0-py3-none-any.whl",
        sha256: "e9155d2bf5ac10050abeff2f99096d4f04312c0c8a6bb432e28744367c5064b3",
        kind: PackageKind::Wheel,
        required: false,
        licence: "public domain",
    },
    Pin {
        name: "texlive-science",
        version: "2022.20230122-4",
        file: "texlive-science_2022.20230122-4_all.deb",
        sha256: "0e7074814db6f5a671079add9668dbe310ee75ad34c981e799b80249602d5706",
        kind: PackageKind::Deb,
        required: false,
        licence: "GHS/CLP phrases CC BY 4.0 (c) European Union and hpstatement contributors; code LPPL 1.3c",
    },
];

/// Errors of the source layer. Messages name the file and, where it applies, the line.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("failed to access `{path}`")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("no cache directory: set `{CACHE_ENV}`")]
    NoCacheDir,
    #[error("`{file}` has sha256 `{found}`, the pin expects `{expected}`")]
    HashMismatch {
        file: String,
        found: String,
        expected: String,
    },
    #[error("required source `{0}` is not in the cache")]
    Missing(String),
    #[error("failed to read `{member}` from `{archive}`: {message}")]
    Archive {
        archive: String,
        member: String,
        message: String,
    },
    #[error("failed to parse `{file}` line {line}: {message}")]
    Parse {
        file: String,
        line: usize,
        message: String,
    },
    #[error("`{command}` failed: {message}")]
    Command { command: String, message: String },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SourceError + '_ {
    move |source| SourceError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The cache directory: `$SAFESCI_CACHE_DIR`, else the platform cache dir + `safesci`.
pub fn default_cache_dir() -> Result<PathBuf, SourceError> {
    if let Some(dir) = std::env::var_os(CACHE_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::cache_dir()
        .map(|d| d.join("safesci"))
        .ok_or(SourceError::NoCacheDir)
}

/// Where a pin's file lives inside the cache.
pub fn cached_path(cache: &Path, pin: &Pin) -> PathBuf {
    let sub = match pin.kind {
        PackageKind::Wheel => "wheels",
        PackageKind::Deb => "debs",
    };
    cache.join(sub).join(pin.file)
}

/// Hex sha256 of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<String, SourceError> {
    let mut f = std::fs::File::open(path).map_err(io_err(path))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(io_err(path))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// What happened to one pin during `sync`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SyncOutcome {
    pub name: &'static str,
    pub version: &'static str,
    pub path: PathBuf,
    /// `cached`, `copied`, `downloaded` or `failed`.
    pub status: String,
    pub sha256: Option<String>,
    pub error: Option<String>,
    pub required: bool,
}

/// Options of `sync`.
#[derive(Debug, Clone, Default)]
pub struct SyncParams {
    pub cache: PathBuf,
    /// Copy files from this folder instead of downloading when they are there (offline mirrors).
    pub from: Option<PathBuf>,
    /// Do not call pip or apt-get.
    pub offline: bool,
}

/// Make every pin present and verified in the cache. Failures are per pin (data, not an abort),
/// so one unreachable optional package does not block the rest.
pub fn sync(params: &SyncParams) -> Vec<SyncOutcome> {
    PINS.iter().map(|pin| sync_one(params, pin)).collect()
}

fn sync_one(params: &SyncParams, pin: &Pin) -> SyncOutcome {
    let path = cached_path(&params.cache, pin);
    let mut out = SyncOutcome {
        name: pin.name,
        version: pin.version,
        path: path.clone(),
        status: "failed".into(),
        sha256: None,
        error: None,
        required: pin.required,
    };
    match fetch(params, pin, &path) {
        Ok(status) => match verify(pin, &path) {
            Ok(hash) => {
                out.status = status.into();
                out.sha256 = Some(hash);
            }
            Err(e) => {
                // A corrupt or substituted file must not be read later.
                let _ = std::fs::remove_file(&path);
                out.error = Some(e.to_string());
            }
        },
        Err(e) => out.error = Some(e.to_string()),
    }
    out
}

fn fetch(params: &SyncParams, pin: &Pin, path: &Path) -> Result<&'static str, SourceError> {
    if path.is_file() && verify(pin, path).is_ok() {
        return Ok("cached");
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    if let Some(from) = &params.from {
        let candidate = from.join(pin.file);
        if candidate.is_file() {
            std::fs::copy(&candidate, path).map_err(io_err(&candidate))?;
            return Ok("copied");
        }
    }
    if params.offline {
        return Err(SourceError::Missing(pin.name.into()));
    }
    match pin.kind {
        PackageKind::Wheel => {
            let spec = format!("{}=={}", pin.name, pin.version);
            run_command(
                Command::new("python3")
                    .args(["-m", "pip", "download", "--no-deps", "--quiet", "-d"])
                    .arg(dir)
                    .arg(&spec),
                &format!("python3 -m pip download --no-deps {spec}"),
            )?;
        }
        PackageKind::Deb => {
            // apt-get download writes into the working directory; use a private temp dir.
            let tmp = tempfile::tempdir().map_err(io_err(dir))?;
            let spec = format!("{}={}", pin.name, pin.version);
            run_command(
                Command::new("apt-get")
                    .args(["download", &spec])
                    .current_dir(tmp.path()),
                &format!("apt-get download {spec}"),
            )?;
            let got = tmp.path().join(pin.file);
            std::fs::copy(&got, path).map_err(io_err(&got))?;
        }
    }
    if path.is_file() {
        Ok("downloaded")
    } else {
        Err(SourceError::Missing(pin.file.into()))
    }
}

fn run_command(cmd: &mut Command, shown: &str) -> Result<(), SourceError> {
    let out = cmd.output().map_err(|e| SourceError::Command {
        command: shown.into(),
        message: e.to_string(),
    })?;
    if out.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: String = stderr.lines().rev().take(3).collect::<Vec<_>>().join(" | ");
        Err(SourceError::Command {
            command: shown.into(),
            message: format!("{} ({tail})", out.status),
        })
    }
}

fn verify(pin: &Pin, path: &Path) -> Result<String, SourceError> {
    let found = sha256_file(path)?;
    if found == pin.sha256 {
        Ok(found)
    } else {
        Err(SourceError::HashMismatch {
            file: pin.file.into(),
            found,
            expected: pin.sha256.into(),
        })
    }
}

/// One cached source, as `sources list` shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CachedSource {
    pub name: &'static str,
    pub version: &'static str,
    pub file: &'static str,
    pub present: bool,
    pub verified: bool,
    pub sha256: Option<String>,
    pub required: bool,
    pub licence: &'static str,
}

/// State of every pin in the cache (hashing each present file).
pub fn list(cache: &Path) -> Vec<CachedSource> {
    PINS.iter()
        .map(|pin| {
            let path = cached_path(cache, pin);
            let sha = path.is_file().then(|| sha256_file(&path).ok()).flatten();
            CachedSource {
                name: pin.name,
                version: pin.version,
                file: pin.file,
                present: path.is_file(),
                verified: sha.as_deref() == Some(pin.sha256),
                sha256: sha,
                required: pin.required,
                licence: pin.licence,
            }
        })
        .collect()
}

/// Whether to insist on the pinned hashes when opening sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verification {
    /// Only files whose sha256 matches the pin are used (the default).
    #[default]
    Pinned,
    /// Use whatever file has the pinned name (test fixtures, local experiments); recorded in the manifest.
    Unverified,
}

/// An opened source archive: its pin, path and actual hash.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OpenSource {
    pub name: &'static str,
    pub version: &'static str,
    pub file: &'static str,
    pub sha256: String,
    pub verified: bool,
    #[serde(skip)]
    pub path: PathBuf,
}

/// The archives available to a build, keyed by package name.
#[derive(Debug, Clone, Default)]
pub struct SourceSet {
    pub sources: BTreeMap<&'static str, OpenSource>,
}

impl SourceSet {
    /// Open what the cache holds. Missing required packages are an error; optional ones are skipped.
    pub fn open(cache: &Path, verification: Verification) -> Result<SourceSet, SourceError> {
        let mut sources = BTreeMap::new();
        for pin in PINS {
            let path = cached_path(cache, pin);
            if !path.is_file() {
                if pin.required {
                    return Err(SourceError::Missing(pin.name.into()));
                }
                continue;
            }
            let sha256 = sha256_file(&path)?;
            let verified = sha256 == pin.sha256;
            if !verified && verification == Verification::Pinned {
                return Err(SourceError::HashMismatch {
                    file: pin.file.into(),
                    found: sha256,
                    expected: pin.sha256.into(),
                });
            }
            sources.insert(
                pin.name,
                OpenSource {
                    name: pin.name,
                    version: pin.version,
                    file: pin.file,
                    sha256,
                    verified,
                    path,
                },
            );
        }
        Ok(SourceSet { sources })
    }

    /// The opened source of a package, if present.
    pub fn get(&self, name: &str) -> Option<&OpenSource> {
        self.sources.get(name)
    }
}

impl OpenSource {
    /// Read one member of a wheel (zip) as UTF-8 text.
    pub fn read_text(&self, member: &str) -> Result<String, SourceError> {
        let bytes = self.read_bytes(member)?;
        String::from_utf8(bytes).map_err(|e| self.archive_err(member, e.to_string()))
    }

    /// Read one member of a wheel (zip) as bytes.
    pub fn read_bytes(&self, member: &str) -> Result<Vec<u8>, SourceError> {
        let file = std::fs::File::open(&self.path).map_err(io_err(&self.path))?;
        let mut zip =
            zip::ZipArchive::new(file).map_err(|e| self.archive_err(member, e.to_string()))?;
        let mut entry = zip
            .by_name(member)
            .map_err(|e| self.archive_err(member, e.to_string()))?;
        let mut buf = Vec::with_capacity(entry.size() as usize);
        entry
            .read_to_end(&mut buf)
            .map_err(|e| self.archive_err(member, e.to_string()))?;
        Ok(buf)
    }

    /// Every member whose name starts with `prefix` and ends with `suffix`, read as text, in name order.
    pub fn read_matching(
        &self,
        prefix: &str,
        suffix: &str,
    ) -> Result<Vec<(String, String)>, SourceError> {
        let file = std::fs::File::open(&self.path).map_err(io_err(&self.path))?;
        let mut zip =
            zip::ZipArchive::new(file).map_err(|e| self.archive_err(prefix, e.to_string()))?;
        let mut names: Vec<String> = zip
            .file_names()
            .filter(|n| n.starts_with(prefix) && n.ends_with(suffix))
            .map(str::to_string)
            .collect();
        names.sort();
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let mut entry = zip
                .by_name(&name)
                .map_err(|e| self.archive_err(&name, e.to_string()))?;
            let mut text = String::new();
            entry
                .read_to_string(&mut text)
                .map_err(|e| self.archive_err(&name, e.to_string()))?;
            out.push((name, text));
        }
        Ok(out)
    }

    pub(crate) fn archive_err(&self, member: &str, message: String) -> SourceError {
        SourceError::Archive {
            archive: self.file.into(),
            member: member.into(),
            message,
        }
    }

    /// `<package>:<member>` as used in item provenance.
    pub fn provenance_source(&self, member: &str) -> String {
        format!("{}:{}", self.name, member)
    }
}
