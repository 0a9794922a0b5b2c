//! The whole `build` flow against a fake `docker` on PATH: argv, streaming, masking, exit
//! codes and the result file, for language, Dockerfile and compose modes. No engine needed.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

const SECRET: &str = "s3cr3t-token-value";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
        .canonicalize()
        .unwrap()
}

struct Fake {
    dir: tempfile::TempDir,
}

impl Fake {
    fn new() -> Fake {
        Fake {
            dir: crate::support::fake_docker("fake-docker"),
        }
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("argv.log")
    }

    fn result(&self) -> PathBuf {
        self.dir.path().join("out/result.json")
    }

    fn cmd(&self, fixture_name: &str) -> Command {
        let mut c = Command::cargo_bin("migetpacks").unwrap();
        c.env_clear()
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.dir.path().join("bin").display()),
            )
            .env("FAKE_DOCKER_LOG", self.log())
            .env("OUTPUT_IMAGE", "r.io:5000/acme/app:v1")
            .env("DOCKERFILE_SYNTAX", "")
            .arg("build")
            .arg(fixture(fixture_name));
        c
    }

    /// Each recorded buildx run's argv.
    fn runs(&self) -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(self.log()).unwrap_or_default();
        text.split("--end--\n")
            .filter(|r| !r.trim().is_empty())
            .map(|r| r.lines().map(str::to_string).collect())
            .collect()
    }

    fn result_json(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.result()).unwrap()).unwrap()
    }
}

fn after<'a>(argv: &'a [String], flag: &str) -> Vec<&'a str> {
    argv.windows(2)
        .filter(|w| w[0] == flag)
        .map(|w| w[1].as_str())
        .collect()
}

#[test]
fn language_build_streams_masks_and_writes_the_result() {
    let f = Fake::new();
    let out = f
        .cmd("python-pip")
        .env("BUILD_VARS", format!(r#"{{"BUILD_VAR_TOKEN":"{SECRET}"}}"#))
        .env("TAG_LATEST", "true")
        .env("CACHE_IMAGE", "r.io:5000/acme/cache:app")
        .env("RESULT_FILE", f.result())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = out.stdout.clone();
    let text = String::from_utf8_lossy(&stdout);
    assert!(text.contains("       #2 RUN echo token=[MASKED]"), "{text}");
    assert!(!text.contains(SECRET));
    assert!(
        !text.contains("current commit information"),
        "noise line not dropped"
    );
    // Bytes that are not UTF-8 pass through unchanged.
    assert!(stdout.windows(2).any(|w| w == [0xff, 0xfe]));
    assert!(text.contains("Python app detected"));

    let runs = f.runs();
    assert_eq!(runs.len(), 1);
    let argv = &runs[0];
    assert!(argv.iter().all(|a| !a.contains(SECRET)), "secret in argv");
    assert_eq!(
        &argv[..4],
        ["buildx", "build", "--progress=plain", "--platform"]
    );
    assert_eq!(
        after(argv, "-t"),
        ["r.io:5000/acme/app:v1", "r.io:5000/acme/app:latest"]
    );
    assert_eq!(after(argv, "--build-arg"), ["TOKEN"]);
    assert_eq!(
        after(argv, "--cache-from"),
        ["type=registry,ref=r.io:5000/acme/cache:app"]
    );
    assert!(argv.contains(&"--push".to_string()) && argv.contains(&"--network=host".to_string()));
    assert_eq!(
        argv.last().unwrap(),
        &fixture("python-pip").display().to_string()
    );

    let r = f.result_json();
    assert_eq!(r["status"], "success");
    assert_eq!(r["exit_code"], 0);
    assert_eq!(r["language"], "python");
    assert_eq!(r["images"][0]["digest"], "sha256:0123abcd");
    assert_eq!(r["images"][0]["registry"], "r.io:5000");
    assert_eq!(r["images"][0]["ports"][0], "5000/tcp");
    assert!(!std::fs::read_to_string(f.result())
        .unwrap()
        .contains(SECRET));
}

#[test]
fn failure_exit_codes_and_result() {
    let f = Fake::new();
    let out = f
        .cmd("node-npm")
        .env("FAKE_DOCKER_EXIT", "3")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Docker build failed"));

    let out = f
        .cmd("node-npm")
        .env("FAKE_DOCKER_EXIT", "3")
        .env("BUILD_VARS", format!(r#"{{"TOKEN":"{SECRET}"}}"#))
        .env("RESULT_FILE", f.result())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "RESULT_FILE set: exit 0 like migetpacks"
    );
    let r = f.result_json();
    assert_eq!(r["status"], "failed");
    assert_eq!(r["exit_code"], 3);
    assert_eq!(r["language"], "nodejs");
    let err = r["error"].as_str().unwrap();
    assert!(
        err.starts_with("Docker build failed") && err.contains("[MASKED]"),
        "{err}"
    );
    assert!(!err.contains(SECRET));
}

#[test]
fn bad_settings_fail_before_docker_with_one_line() {
    let f = Fake::new();
    let out = f
        .cmd("python-pip")
        .env("OUTPUT_IMAGE", "Bad Ref")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("OUTPUT_IMAGE"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(f.runs().is_empty());

    let out = f
        .cmd("python-pip")
        .env("CUSTOM_DATA", "{oops")
        .env("RESULT_FILE", f.result())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let r = f.result_json();
    assert_eq!(r["status"], "failed");
    assert_eq!(r["exit_code"], 2);
    assert_eq!(r["language"], "unknown");
    assert!(r["error"].as_str().unwrap().contains("CUSTOM_DATA"));
}

#[test]
fn dockerfile_mode_builds_in_place() {
    let f = Fake::new();
    let out = f
        .cmd("dockerfile")
        .env("RESULT_FILE", f.result())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let argv = &f.runs()[0];
    assert_eq!(
        after(argv, "-f"),
        [fixture("dockerfile")
            .join("Dockerfile")
            .display()
            .to_string()]
    );
    let r = f.result_json();
    assert_eq!(r["language"], "dockerfile");
    assert_eq!(
        r["images"][0]["ports"],
        serde_json::json!(["5000/tcp", "8080/tcp"])
    );
}

#[test]
fn compose_mode_builds_each_service_and_counts_failures() {
    let f = Fake::new();
    let out = f
        .cmd("compose")
        .env("CACHE_IMAGE", "r.io:5000/acme/cache:c")
        .env("TAG_LATEST", "true")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs = f.runs();
    assert_eq!(runs.len(), 2);
    assert_eq!(
        after(&runs[0], "-t"),
        ["r.io:5000/acme/app-api:v1", "r.io:5000/acme/app-api:latest"]
    );
    assert_eq!(
        after(&runs[1], "-t"),
        ["r.io:5000/acme/app-web:v1", "r.io:5000/acme/app-web:latest"]
    );
    assert_eq!(
        after(&runs[0], "--cache-from"),
        ["type=registry,ref=r.io:5000/acme/cache:c-api"]
    );

    let g = Fake::new();
    let out = g
        .cmd("compose")
        .env("FAKE_DOCKER_FAIL_CONTEXT", "web")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(17),
        "a failed service fails the run"
    );
    let out = g
        .cmd("compose")
        .env("FAKE_DOCKER_FAIL_CONTEXT", "web")
        .env("RESULT_FILE", g.result())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let r = g.result_json();
    assert_eq!(r["status"], "failed");
    assert_eq!(r["images"].as_array().unwrap().len(), 1);
    assert_eq!(r["images"][0]["repository"], "acme/app-api");
    assert!(r["error"].as_str().unwrap().contains("web"));
}

#[test]
fn docker_faults_have_their_own_exit_codes() {
    let f = Fake::new();
    let out = f
        .cmd("python-pip")
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("docker not found"));
    let out = f
        .cmd("python-pip")
        .env("FAKE_DOCKER_BROKEN", "buildx")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("buildx is required"));
    let out = f
        .cmd("python-pip")
        .env("FAKE_DOCKER_BROKEN", "engine")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did not answer"));
}

#[test]
fn dry_run_prints_argv_json_and_runs_nothing() {
    let f = Fake::new();
    let out = f
        .cmd("node-npm")
        .arg("--dry-run")
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let argv: Vec<String> = serde_json::from_slice(&out.stdout).expect("stdout is one JSON array");
    assert_eq!(argv[0], "buildx");
    let dockerfile = after(&argv, "-f")[0].to_string();
    assert!(std::fs::read_to_string(&dockerfile)
        .unwrap()
        .contains("FROM node:18 AS builder"));
    assert!(
        Path::new(&format!("{dockerfile}.dockerignore")).exists()
            || fixture("node-npm").join(".dockerignore").exists()
    );
    assert!(f.runs().is_empty());
}
