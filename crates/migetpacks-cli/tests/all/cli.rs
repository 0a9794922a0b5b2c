//! The offline commands: `detect`, `plan`, `dockerfile`, `cache-flags`, `schema`.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn migetpacks() -> Command {
    let mut c = Command::cargo_bin("migetpacks").unwrap();
    c.env_clear().env("PATH", "/usr/bin:/bin");
    c
}

fn stdout_json(c: &mut Command) -> Value {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn detect_plain_and_json_on_every_fixture() {
    let mut dirs: Vec<_> = std::fs::read_dir(fixtures())
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && !p.ends_with("bad") && !p.join("fixture.env").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 40);
    for dir in dirs {
        let v = stdout_json(migetpacks().arg("detect").arg("--json").arg(&dir));
        for key in [
            "language",
            "display_name",
            "version",
            "version_source",
            "package_manager",
            "additional_buildpacks",
            "evidence",
            "warnings",
        ] {
            assert!(v.get(key).is_some(), "{}: no {key}", dir.display());
        }
        let plain = migetpacks().arg("detect").arg(&dir).output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&plain.stdout).trim(),
            v["display_name"].as_str().unwrap(),
            "{}",
            dir.display()
        );
    }
}

#[test]
fn detect_yarn_and_flags_override_env() {
    let v = stdout_json(
        migetpacks()
            .args(["detect", "--json"])
            .arg(fixtures().join("node-yarn")),
    );
    assert_eq!(v["language"], "nodejs");
    assert_eq!(v["display_name"], "Node.js (yarn)");
    assert_eq!(v["package_manager"], "yarn");
    let v = stdout_json(
        migetpacks()
            .env("LANGUAGE", "python")
            .args(["detect", "--json", "--language", "nodejs"])
            .arg(fixtures().join("node-npm")),
    );
    assert_eq!(v["language"], "nodejs", "the flag wins over the variable");
}

#[test]
fn no_language_is_one_line_and_nonzero() {
    let empty = tempfile::tempdir().unwrap();
    let out = migetpacks()
        .arg("detect")
        .arg(empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("LANGUAGE"), "{err}");
    assert_eq!(err.trim().lines().count(), 1);
}

#[test]
fn plan_json_and_dockerfile_agree() {
    let dir = fixtures().join("python-pip");
    let plan = stdout_json(migetpacks().args(["plan", "--json"]).arg(&dir));
    for key in [
        "language",
        "version",
        "build_image",
        "runtime_image",
        "start_command",
        "cache_mounts",
        "dockerfile",
    ] {
        assert!(plan.get(key).is_some(), "no {key}");
    }
    let out = migetpacks().arg("dockerfile").arg(&dir).output().unwrap();
    assert_eq!(
        plan["dockerfile"].as_str().unwrap(),
        String::from_utf8_lossy(&out.stdout)
    );
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("Dockerfile");
    migetpacks()
        .arg("dockerfile")
        .arg(&dir)
        .arg("-o")
        .arg(&file)
        .assert()
        .success();
    assert_eq!(
        std::fs::read_to_string(file).unwrap(),
        plan["dockerfile"].as_str().unwrap()
    );
}

#[test]
fn cache_flags_lines_and_json() {
    let out = migetpacks()
        .env("CACHE_IMAGE", "r.io/a:cache")
        .env("CACHE_FROM", " r.io/a:main , ,r.io/b:dev ")
        .arg("cache-flags")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "--cache-from\ntype=registry,ref=r.io/a:cache\n--cache-to\ntype=registry,ref=r.io/a:cache,mode=min,ignore-error=true\n--cache-from\ntype=registry,ref=r.io/a:main\n--cache-from\ntype=registry,ref=r.io/b:dev\n"
    );
    let v = stdout_json(migetpacks().args(["cache-flags", "--json", "--no-cache", "true"]));
    assert_eq!(v, serde_json::json!(["--no-cache"]));
    let out = migetpacks()
        .env("CACHE_MODE", "all")
        .arg("cache-flags")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CACHE_MODE"));
}

#[test]
fn schema_result_is_a_json_schema() {
    let v = stdout_json(migetpacks().args(["schema", "result"]));
    assert!(v["properties"]["status"].is_object(), "{v}");
}
