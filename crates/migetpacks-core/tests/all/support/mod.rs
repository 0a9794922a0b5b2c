//! Shared helpers of the integration tests: hand-made detection and version (detection is
//! tested elsewhere), the settings variants every fixture is rendered under, ordering
//! assertions on Dockerfile text, and snapshot naming. [`plan`] holds the helpers of the
//! provider tests that snapshot one Dockerfile at a time.
#![allow(dead_code)]

pub mod buildkit;
pub mod plan;

use migetpacks_core::language::Language;
use migetpacks_core::pipeline::Generated;
use migetpacks_core::settings::EnvMap;
use migetpacks_core::Error;

/// The settings variants each fixture is snapshotted under (name, extra env).
pub const VARIANTS: [(&str, &[(&str, &str)]); 3] = [
    ("default", &[]),
    ("cache", &[("BUILD_CACHE_DIR", "/c"), ("CACHE_KEY", "app")]),
    ("dhi", &[("USE_DHI", "true")]),
];

/// An environment map from literal pairs.
pub fn env(pairs: &[(&str, &str)]) -> EnvMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Plan and render `files` as `lang` at `version`.
pub fn try_generate(
    lang: Language,
    version: &str,
    files: &[(&str, &str)],
    env: &[(&str, &str)],
) -> Result<Generated, Error> {
    plan::try_generate(lang, None, version, files, env)
}

/// Like [`try_generate`], panicking with the error.
pub fn generate(
    lang: Language,
    version: &str,
    files: &[(&str, &str)],
    env: &[(&str, &str)],
) -> Generated {
    try_generate(lang, version, files, env).unwrap_or_else(|e| panic!("generation failed: {e}"))
}

/// Byte offset of `needle` in `text`, panicking with the text when absent.
pub fn pos(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found in:\n{text}"))
}

/// Assert that the needles appear in this order.
pub fn assert_order(text: &str, needles: &[&str]) {
    for pair in needles.windows(2) {
        assert!(
            pos(text, pair[0]) < pos(text, pair[1]),
            "{:?} should come before {:?} in:\n{text}",
            pair[0],
            pair[1]
        );
    }
}

/// Every cache mount is absent without BUILD_CACHE_DIR and present with it.
pub fn assert_mounts_only_with_cache_dir(default: &Generated, cached: &Generated, ids: &[&str]) {
    assert!(
        !default.dockerfile.contains("--mount=type=cache"),
        "mounts without BUILD_CACHE_DIR:\n{}",
        default.dockerfile
    );
    for id in ids {
        assert!(
            cached
                .dockerfile
                .contains(&format!("--mount=type=cache,id=app-{id},")),
            "no {id} mount:\n{}",
            cached.dockerfile
        );
    }
}

/// Snapshot the default, cache and DHI variants of a fixture, and a "run" variant with extra
/// files (a Procfile) and env (RUN_COMMAND). Returns the four results in that order.
/// The repository's `fixtures/` folder.
pub fn fixtures_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The settings a fixture needs: its `fixture.env` (KEY=VALUE lines; blank lines and `#`
/// comments skipped; any other line is a broken fixture), empty when it has none.
pub fn fixture_env(dir: &std::path::Path) -> EnvMap {
    let mut env = EnvMap::new();
    if let Ok(text) = std::fs::read_to_string(dir.join("fixture.env")) {
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) = line
                .split_once('=')
                .unwrap_or_else(|| panic!("{}: bad fixture.env line {line:?}", dir.display()));
            env.insert(k.trim().to_string(), v.trim().to_string());
        }
    }
    env
}

/// hadolint with the repository's `.hadolint.yaml` (`HADOLINT` names the binary).
pub struct Hadolint {
    bin: String,
    config: std::path::PathBuf,
    tmp: tempfile::TempDir,
}

impl Hadolint {
    /// `None` when hadolint is not installed, outside CI only (CI installs it); the lint ring
    /// is then skipped, loudly.
    pub fn find() -> Option<Hadolint> {
        let bin = std::env::var("HADOLINT").unwrap_or_else(|_| "hadolint".into());
        if std::process::Command::new(&bin)
            .arg("--version")
            .output()
            .is_err()
        {
            assert!(std::env::var("CI").is_err(), "hadolint is required in CI");
            eprintln!("hadolint not found: skipping the lint ring");
            return None;
        }
        Some(Hadolint {
            bin,
            config: std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.hadolint.yaml"),
            tmp: tempfile::tempdir().unwrap(),
        })
    }

    /// Lint `dockerfile` (written as `name`); `Err` holds hadolint's findings.
    pub fn lint(&self, name: &str, dockerfile: &str) -> Result<(), String> {
        let file = self.tmp.path().join(name);
        std::fs::write(&file, dockerfile).unwrap();
        let out = std::process::Command::new(&self.bin)
            .arg("--config")
            .arg(&self.config)
            .arg("--no-color")
            .arg(&file)
            .output()
            .unwrap();
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stdout).into_owned())
        }
    }
}

/// The last segment of a module path: the test file a snapshot belongs to.
pub fn file_of(module_path: &str) -> &str {
    module_path.rsplit("::").next().unwrap_or(module_path)
}

/// Assert a snapshot (`json` first for a JSON one) as `tests/snapshots/<file>__<name>.snap`,
/// `<file>` being the calling test file: the names they had when each file was its own test
/// binary.
macro_rules! assert_file_snapshot {
    (json $name:expr, $value:expr) => {
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_json_snapshot!(format!("{}__{}", crate::support::file_of(module_path!()), $name), $value);
        })
    };
    ($name:expr, $value:expr) => {
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(format!("{}__{}", crate::support::file_of(module_path!()), $name), $value);
        })
    };
}

macro_rules! snapshot_variants {
    ($name:expr, $lang:expr, $version:expr, $files:expr, $run_files:expr, $run_env:expr) => {{
        let mut out = Vec::new();
        for (variant, env) in support::VARIANTS {
            let g = support::generate($lang, $version, $files, env);
            assert_file_snapshot!(format!("{}__{}", $name, variant), g.dockerfile);
            out.push(g);
        }
        let mut files: Vec<(&str, &str)> = $files.to_vec();
        files.extend_from_slice($run_files);
        let g = support::generate($lang, $version, &files, $run_env);
        assert_file_snapshot!(format!("{}__run", $name), g.dockerfile);
        out.push(g);
        out
    }};
}
