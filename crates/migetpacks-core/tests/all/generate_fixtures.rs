//! Every fixture × the settings that change its output: reviewed insta snapshots of the
//! Dockerfile and the plan, determinism, and hadolint on every generated Dockerfile.

use crate::support;
use migetpacks_core::language::Language;
use migetpacks_core::pipeline::{effective_tree, generate};
use migetpacks_core::plan::{Instruction, Phase};
use migetpacks_core::settings::Settings;
use migetpacks_core::source::SourceTree;
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let root = support::fixtures_dir();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "bad"))
        .collect();
    dirs.sort();
    dirs
}

const VARIANTS: &[(&str, &[(&str, &str)])] = &[
    ("default", &[]),
    (
        "cache",
        &[
            ("BUILD_CACHE_DIR", "/var/lib/buildkit"),
            ("CACHE_KEY", "myapp"),
        ],
    ),
    ("dhi", &[("USE_DHI", "true")]),
];

/// The generated Dockerfile, `None` for Dockerfile/compose fixtures, or the planning error
/// (e.g. a version below a hardened image's minimum).
fn outcome(
    dir: &Path,
    extra: &[(&str, &str)],
) -> Option<Result<migetpacks_core::pipeline::Generated, String>> {
    let mut env = support::fixture_env(dir);
    for (k, v) in extra {
        env.insert(k.to_string(), v.to_string());
    }
    let settings = Settings::from_env(&env).expect("fixture settings");
    let root = SourceTree::open(dir).expect("fixture dir");
    let tree = effective_tree(&settings, &root).expect("project path");
    match generate(&settings, &tree) {
        Ok(g) => Some(Ok(g)),
        Err(migetpacks_core::Error::Plan(migetpacks_core::providers::PlanError::NotGenerated(
            _,
        ))) => None,
        Err(e) => Some(Err(e.to_string())),
    }
}

/// Like [`outcome`], but an error is only acceptable for hardened images.
fn generated(dir: &Path, extra: &[(&str, &str)]) -> Option<migetpacks_core::pipeline::Generated> {
    match outcome(dir, extra)? {
        Ok(g) => Some(g),
        Err(e) if extra.contains(&("USE_DHI", "true")) => {
            eprintln!("{}: {e}", dir.display());
            None
        }
        Err(e) => panic!("{}: {e}", dir.display()),
    }
}

#[test]
fn dockerfile_and_plan_snapshots() {
    for dir in fixtures() {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        for (variant, extra) in VARIANTS {
            let g = match outcome(&dir, extra) {
                None => continue,
                Some(Ok(g)) => g,
                Some(Err(e)) if *variant == "dhi" => {
                    assert_file_snapshot!(format!("{name}__{variant}__error"), e);
                    continue;
                }
                Some(Err(e)) => panic!("{}: {e}", dir.display()),
            };
            assert_file_snapshot!(format!("{name}__{variant}__dockerfile"), g.dockerfile);
            if *variant == "default" {
                assert_file_snapshot!(json format!("{name}__plan"), g.plan);
            }
        }
    }
}

#[test]
fn generation_is_deterministic() {
    for dir in fixtures() {
        if let Some(a) = generated(&dir, &[]) {
            let b = generated(&dir, &[]).unwrap();
            assert_eq!(a.dockerfile, b.dockerfile, "{}", dir.display());
        }
    }
}

#[test]
fn manifests_come_before_source_and_mounts_follow_build_cache_dir() {
    for dir in fixtures() {
        let Some(g) = generated(&dir, &[]) else {
            continue;
        };
        let steps: Vec<_> = g.plan.steps().map(|(_, s)| s).collect();
        let first_install = steps.iter().position(|s| s.phase == Phase::Install);
        let manifests = steps.iter().position(|s| s.phase == Phase::Manifests);
        let source = steps.iter().position(|s| s.phase == Phase::Source);
        if let (Some(m), Some(i)) = (manifests, first_install) {
            assert!(m < i, "{}: manifests after install", dir.display());
        }
        if let (Some(i), Some(s), Some(_)) = (first_install, source, manifests) {
            assert!(
                i < s,
                "{}: source copied before the dependency install",
                dir.display()
            );
        }
        assert!(
            g.plan.cache_mounts.is_empty(),
            "{}: mounts without BUILD_CACHE_DIR",
            dir.display()
        );
        assert!(
            !g.dockerfile.contains("--mount=type=cache"),
            "{}",
            dir.display()
        );

        let c = generated(&dir, &[("BUILD_CACHE_DIR", "/c"), ("CACHE_KEY", "k1")]).unwrap();
        for m in &c.plan.cache_mounts {
            assert!(
                m.id.starts_with("k1-"),
                "{}: mount id {}",
                dir.display(),
                m.id
            );
        }
        let installs_with_mounts = c.plan.phase(Phase::Install).iter().any(
            |s| matches!(&s.instruction, Instruction::Run { mounts, .. } if !mounts.is_empty()),
        );
        let has_install = !c.plan.phase(Phase::Install).is_empty();
        if has_install && g.plan.language != Language::Dotnet {
            assert!(
                installs_with_mounts,
                "{}: install without cache mount",
                dir.display()
            );
        }
    }
}

#[test]
fn registry_mirror_rewrites_base_images() {
    for dir in fixtures() {
        let Some(g) = generated(&dir, &[("REGISTRY_MIRROR", "https://mirror.local")]) else {
            continue;
        };
        for st in &g.plan.stages {
            assert!(
                st.from.starts_with("mirror.local/mirror/")
                    || migetpacks_core::images::has_registry(&st.from),
                "{}: {} not rewritten",
                dir.display(),
                st.from
            );
        }
        assert_eq!(
            g.plan.syntax.as_deref(),
            Some("mirror.local/mirror/docker/dockerfile:1")
        );
    }
}

#[test]
fn hadolint_accepts_every_generated_dockerfile() {
    let Some(hadolint) = support::Hadolint::find() else {
        return;
    };
    let mut failures = Vec::new();
    for dir in fixtures() {
        for (variant, extra) in VARIANTS {
            let Some(g) = generated(&dir, extra) else {
                continue;
            };
            let name = format!(
                "{}-{variant}.Dockerfile",
                dir.file_name().unwrap().to_string_lossy()
            );
            if let Err(findings) = hadolint.lint(&name, &g.dockerfile) {
                failures.push(format!("{name}:\n{findings}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "hadolint findings:\n{}",
        failures.join("\n")
    );
}
