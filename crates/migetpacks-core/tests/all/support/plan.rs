//! Helpers for the provider tests: a plan from a hand-made detection and version (detection
//! itself is tested elsewhere), the setting variants every language is snapshotted under, and
//! order assertions on the rendered Dockerfile.

use migetpacks_core::detect::{Detection, PackageManager};
use migetpacks_core::language::Language;
use migetpacks_core::pipeline::{generate_with, Generated};
use migetpacks_core::settings::{EnvMap, Settings};
use migetpacks_core::source::SourceTree;
use migetpacks_core::version::Version;

/// Settings from `NAME=value` pairs.
pub fn settings(env: &[(&str, &str)]) -> Settings {
    let map: EnvMap = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_env(&map).expect("valid test settings")
}

/// The setting variants each language × package manager is snapshotted under.
pub const VARIANTS: [(&str, &[(&str, &str)]); 5] = [
    ("default", &[]),
    (
        "cache",
        &[
            ("BUILD_CACHE_DIR", "/var/cache/buildkit"),
            ("CACHE_KEY", "shop"),
        ],
    ),
    ("mirror", &[("REGISTRY_MIRROR", "https://mirror.local")]),
    ("run_command", &[("RUN_COMMAND", "./serve --port $PORT")]),
    ("dhi", &[("USE_DHI", "true")]),
];

/// Plan and render `files` as `lang` at `version` under `env`.
pub fn try_generate(
    lang: Language,
    pm: Option<PackageManager>,
    version: &str,
    files: &[(&str, &str)],
    env: &[(&str, &str)],
) -> Result<Generated, migetpacks_core::Error> {
    let tree = SourceTree::in_memory(files.iter().copied());
    let detection = Detection {
        package_manager: pm,
        ..Detection::new(lang)
    };
    let version = Version {
        value: version.into(),
        source: "test".into(),
        raw: None,
        warnings: vec![],
    };
    generate_with(&settings(env), &tree, detection, version)
}

/// Like [`try_generate`], panicking on error.
pub fn generate(
    lang: Language,
    pm: Option<PackageManager>,
    version: &str,
    files: &[(&str, &str)],
    env: &[(&str, &str)],
) -> Generated {
    try_generate(lang, pm, version, files, env).unwrap_or_else(|e| panic!("plan failed: {e}"))
}

/// Index of the first line containing `needle`.
pub fn line_of(dockerfile: &str, needle: &str) -> usize {
    dockerfile
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not found in:\n{dockerfile}"))
}

/// Assert the needles appear in this order (each one's first occurrence).
pub fn assert_order(dockerfile: &str, needles: &[&str]) {
    let lines: Vec<usize> = needles.iter().map(|n| line_of(dockerfile, n)).collect();
    for (w, pair) in lines.windows(2).enumerate() {
        assert!(
            pair[0] < pair[1],
            "{:?} should come before {:?}:\n{dockerfile}",
            needles[w],
            needles[w + 1]
        );
    }
}

/// Every cache mount in the Dockerfile carries the `CACHE_KEY` id prefix.
pub fn assert_mounts_keyed(dockerfile: &str, key: &str) {
    let mounts: Vec<&str> = dockerfile
        .split_whitespace()
        .filter(|w| w.starts_with("--mount=type=cache"))
        .collect();
    assert!(!mounts.is_empty(), "no cache mounts:\n{dockerfile}");
    for m in mounts {
        assert!(m.contains(&format!("id={key}-")), "{m} lacks the {key} id");
    }
}

/// The snapshot variants: every entry of [`VARIANTS`] plus a Procfile whose web process is
/// `procfile_web`, as `(name, result)`.
pub fn variants(
    lang: Language,
    pm: Option<PackageManager>,
    version: &str,
    files: &[(&str, &str)],
    procfile_web: &str,
) -> Vec<(String, Generated)> {
    let mut out: Vec<(String, Generated)> = VARIANTS
        .iter()
        .map(|(name, env)| (name.to_string(), generate(lang, pm, version, files, env)))
        .collect();
    let procfile = format!("web: {procfile_web}\nworker: ./worker\n");
    let mut with_procfile: Vec<(&str, &str)> = files.to_vec();
    with_procfile.push(("Procfile", &procfile));
    out.push((
        "procfile".into(),
        generate(lang, pm, version, &with_procfile, &[]),
    ));
    out
}

/// Snapshot a generated Dockerfile as `tests/snapshots/<name>.snap`; the start command and
/// warnings go into the snapshot header, so a reviewer sees them next to the file.
pub fn snapshot(name: &str, g: &Generated) {
    let description = format!(
        "start ({:?}): {}\nwarnings: {:?}",
        g.plan.start_command.source, g.plan.start_command.command, g.plan.warnings
    );
    insta::with_settings!({
        description => description,
        omit_expression => true,
        snapshot_path => "../../snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, &g.dockerfile);
    });
}
