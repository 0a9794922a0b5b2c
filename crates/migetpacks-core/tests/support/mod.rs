//! Shared helpers for the provider tests: hand-made detection and version (detection is
//! tested elsewhere), the settings variants every fixture is rendered under, and ordering
//! assertions on Dockerfile text.
#![allow(dead_code)]

use migetpacks_core::detect::Detection;
use migetpacks_core::language::Language;
use migetpacks_core::pipeline::{generate_with, Generated};
use migetpacks_core::settings::{EnvMap, Settings};
use migetpacks_core::source::SourceTree;
use migetpacks_core::version::Version;
use migetpacks_core::Error;

/// Settings from literal pairs.
pub fn settings(pairs: &[(&str, &str)]) -> Settings {
    let env: EnvMap = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_env(&env).expect("test settings are valid")
}

/// The settings variants each fixture is snapshotted under (name, extra env).
pub const VARIANTS: [(&str, &[(&str, &str)]); 3] = [
    ("default", &[]),
    ("cache", &[("BUILD_CACHE_DIR", "/c"), ("CACHE_KEY", "app")]),
    ("dhi", &[("USE_DHI", "true")]),
];

/// Plan and render `files` as `lang` at `version`.
pub fn try_generate(
    lang: Language,
    version: &str,
    files: &[(&str, &str)],
    env: &[(&str, &str)],
) -> Result<Generated, Error> {
    let tree = SourceTree::in_memory(files.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let detection = Detection::new(lang);
    let version = Version {
        value: version.into(),
        source: "test".into(),
        raw: None,
        warnings: vec![],
    };
    generate_with(&settings(env), &tree, detection, version)
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
#[macro_export]
macro_rules! snapshot_variants {
    ($name:expr, $lang:expr, $version:expr, $files:expr, $run_files:expr, $run_env:expr) => {{
        let mut out = Vec::new();
        for (variant, env) in support::VARIANTS {
            let g = support::generate($lang, $version, $files, env);
            insta::assert_snapshot!(format!("{}__{}", $name, variant), g.dockerfile);
            out.push(g);
        }
        let mut files: Vec<(&str, &str)> = $files.to_vec();
        files.extend_from_slice($run_files);
        let g = support::generate($lang, $version, &files, $run_env);
        insta::assert_snapshot!(format!("{}__run", $name), g.dockerfile);
        out.push(g);
        out
    }};
}
