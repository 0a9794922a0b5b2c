//! Issue 12 through the binary, against fake `docker`s (tests/support): a hostile repository
//! cannot reach the docker client's environment or leave the source folder through compose;
//! secrets stay masked in every line the tool prints; an interruption stops the whole docker
//! process group and writes the result file; the result file is replaced atomically; a failed
//! build has its own exit code; control characters from the repository are escaped.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    /// A case whose `docker` is tests/support/<fake>.
    fn new(fake: &str) -> Case {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/support")
            .join(fake);
        std::fs::copy(src, bin.join("docker")).unwrap();
        std::fs::create_dir(dir.path().join("tmp")).unwrap();
        std::fs::create_dir(dir.path().join("app")).unwrap();
        Case { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path("app").join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn node_app(&self) {
        self.write(
            "package.json",
            r#"{"name":"shop","scripts":{"build":"node build.js","start":"node server.js"},"dependencies":{"express":"^4.19.2"}}"#,
        );
        self.write("package-lock.json", "{}");
        self.write("server.js", "");
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(assert_cmd::cargo::cargo_bin("migetpacks"));
        c.env_clear()
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.path("bin").display()),
            )
            .env("TMPDIR", self.path("tmp"))
            .env("HOME", self.path("tmp"))
            .env("FAKE_DOCKER_LOG", self.path("argv.log"))
            .env("OUTPUT_IMAGE", "r.io/acme/app:v1")
            .env("DOCKERFILE_SYNTAX", "")
            .arg("build")
            .arg(self.path("app"));
        c
    }

    fn argv(&self) -> String {
        std::fs::read_to_string(self.path("argv.log")).unwrap_or_default()
    }
}

fn run(c: &mut Command) -> (Option<i32>, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Names of the variables the leaky docker saw (its `#4 env: NAME=value` lines).
fn child_env_names(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("#4 env: "))
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.to_string()))
        .collect()
}

// ---- Items 2 and 5: the docker child's environment ----

#[test]
fn compose_args_never_reach_the_docker_environment() {
    let c = Case::new("leaky-docker");
    c.write(
        "compose.yaml",
        "services:\n  web:\n    build:\n      context: .\n      args:\n        ACTIONS_CACHE_URL: https://evil.example/\n        HTTPS_PROXY: http://evil.example:3128\n        DOCKER_HOST: tcp://evil.example:2375\n        KUBECONFIG: /tmp/evil\n        BASH_ENV: /tmp/evil.sh\n        GREETING: hello\n",
    );
    c.write("Dockerfile", "FROM scratch\n");
    let (code, stdout, stderr) = run(c
        .cmd()
        .env("LANGUAGE", "compose")
        .env("DOCKER_HOST", "unix:///operator/docker.sock")
        .env("CACHE_IMAGE", "type=gha,scope=shop")
        .env("ACTIONS_RUNTIME_TOKEN", "gha-runtime-token-value")
        .env("ACTIONS_CACHE_URL", "https://operator-cache.example/")
        .env("BUILD_VARS", r#"{"API_KEY":"bv-secret \"quoted\" value"}"#)
        .env("GITHUB_TOKEN", "ghp_operatortokenvalue"));
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    let names = child_env_names(&stdout);
    for absent in [
        "KUBECONFIG",
        "BASH_ENV",
        "GREETING",
        "BUILD_VARS",
        "GITHUB_TOKEN",
        "API_KEY",
    ] {
        assert!(
            !names.iter().any(|n| n == absent),
            "{absent} reached docker: {names:?}"
        );
    }
    // The operator's own values, not the repository's.
    assert!(
        stdout.contains("#4 env: DOCKER_HOST=unix:///operator/docker.sock"),
        "{stdout}"
    );
    assert!(
        stdout.contains("#4 env: ACTIONS_CACHE_URL=https://operator-cache.example/"),
        "{stdout}"
    );
    assert!(!stdout.contains("#4 env: HTTPS_PROXY"), "{stdout}");
    // The repository's args reach buildx as build args, on the command line.
    let argv = c.argv();
    for a in [
        "ACTIONS_CACHE_URL=https://evil.example/",
        "DOCKER_HOST=tcp://evil.example:2375",
        "GREETING=hello",
    ] {
        assert!(argv.lines().any(|l| l == a), "{a} not in argv:\n{argv}");
    }
}

#[test]
fn secret_carrying_settings_never_reach_docker() {
    let c = Case::new("leaky-docker");
    c.node_app();
    let (code, stdout, stderr) = run(c
        .cmd()
        .env(
            "BUILD_VARS",
            r#"{"API_KEY":"va\"lue-with-\\-and-\n-newline"}"#,
        )
        .env("DHI_PASSWORD", "dhi-password-value")
        .env("REGISTRY_PASSWORD", "registry-password-value"));
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    let names = child_env_names(&stdout);
    assert!(names.contains(&"API_KEY".to_string()), "{names:?}");
    for absent in [
        "BUILD_VARS",
        "DHI_PASSWORD",
        "REGISTRY_PASSWORD",
        "OUTPUT_IMAGE",
        "FAKE_DOCKER_LOG",
    ] {
        assert!(
            !names.iter().any(|n| n == absent),
            "{absent} reached docker: {names:?}"
        );
    }
    assert!(!stdout.contains("va\\\"lue"), "{stdout}");
}

// ---- Item 1: compose paths leaving the source folder ----

#[test]
fn a_compose_context_linking_out_is_refused_before_docker_runs() {
    for (build, link, target) in [
        ("context: link", "link", "/"),
        (
            "context: .\n      dockerfile: Dockerfile.x",
            "Dockerfile.x",
            "/etc/hostname",
        ),
    ] {
        let c = Case::new("fake-docker");
        c.write(
            "compose.yaml",
            &format!("services:\n  web:\n    build:\n      {build}\n"),
        );
        c.write("Dockerfile", "FROM scratch\n");
        std::os::unix::fs::symlink(target, c.path("app").join(link)).unwrap();
        let (code, stdout, stderr) = run(c.cmd().env("LANGUAGE", "compose"));
        assert_eq!(code, Some(3), "{stdout}\n{stderr}");
        assert!(
            stderr.contains("compose.yaml") && stderr.contains("outside the source folder"),
            "{stderr}"
        );
        assert!(c.argv().is_empty(), "buildx ran:\n{}", c.argv());
    }
}

// ---- Items 4 and 6: every printed line is masked ----

#[test]
fn multi_line_secrets_and_the_tools_own_lines_are_masked() {
    let pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAE\nbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----";
    let c = Case::new("leaky-docker");
    c.node_app();
    // The repository's Procfile happens to hold a BUILD_VARS value.
    c.write(
        "Procfile",
        "web: node server.js --tenant acme-tenant-secret\n",
    );
    let vars = serde_json::json!({"DEPLOY_KEY": pem, "TENANT": "acme-tenant-secret"}).to_string();
    let (code, stdout, stderr) = run(c
        .cmd()
        .env("DEBUG", "true")
        .env("FAKE_DOCKER_EXIT", "9")
        .env("BUILD_VARS", &vars)
        .env("RESULT_FILE", c.path("result.json")));
    assert_eq!(code, Some(0), "{stderr}");
    let result = std::fs::read_to_string(c.path("result.json")).unwrap();
    for line in pem.lines().skip(1).take(2).chain(["acme-tenant-secret"]) {
        assert!(!stdout.contains(line), "{line} on stdout:\n{stdout}");
        assert!(!stderr.contains(line), "{line} on stderr");
        assert!(!result.contains(line), "{line} in the result file");
    }
    assert!(
        stdout.contains("web: node server.js --tenant [MASKED]"),
        "{stdout}"
    );
}

#[test]
fn a_secret_inside_a_baked_setting_is_refused() {
    let c = Case::new("fake-docker");
    c.node_app();
    let (code, _, stderr) = run(c
        .cmd()
        .env("NPM_TOKEN", "npm-token-value-123")
        .env("BUILD_COMMAND", "npm run build --token=npm-token-value-123"));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("BUILD_COMMAND") && stderr.contains("BUILD_SECRETS"),
        "{stderr}"
    );
    assert!(!stderr.contains("npm-token-value-123"), "{stderr}");
}

#[test]
fn cache_credentials_are_refused_without_echoing_them() {
    let c = Case::new("fake-docker");
    c.node_app();
    for value in [
        "bob:hunter2pass@r.io/acme/cache",
        "type=registry,ref=r.io/a/c,auth=hunter2pass",
    ] {
        let (code, stdout, stderr) = run(c.cmd().env("CACHE_IMAGE", value));
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains("CACHE_IMAGE"), "{stderr}");
        assert!(
            !stderr.contains("hunter2pass") && !stdout.contains("hunter2pass"),
            "{stderr}"
        );
    }
}

// ---- Item 13: control characters from the repository ----

#[test]
fn control_characters_from_the_repository_are_escaped() {
    let c = Case::new("fake-docker");
    // A project file whose name clears the screen and fakes a green status line; detection
    // prints it as evidence.
    c.write(
        "src/Shop\u{1b}[2J\u{1b}[32m-----> Build succeeded\u{9b}0m.csproj",
        r#"<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>"#,
    );
    let (code, stdout, stderr) = run(&mut c.cmd());
    assert!(matches!(code, Some(0) | Some(3)), "{stdout}\n{stderr}");
    for out in [&stdout, &stderr] {
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{9b}'),
            "{out:?}"
        );
    }
    assert!(
        stdout.contains("Shop\\x1b[2J\\x1b[32m-----> Build succeeded\\u009b0m.csproj"),
        "{stdout}"
    );
}

// ---- Item 12: a failed build has its own exit code ----

#[test]
fn a_failed_build_exits_7_and_keeps_buildx_status() {
    for status in ["2", "3", "17"] {
        let c = Case::new("fake-docker");
        c.node_app();
        let (code, _, stderr) = run(c.cmd().env("FAKE_DOCKER_EXIT", status));
        assert_eq!(code, Some(7), "{status}: {stderr}");
        assert!(
            stderr.contains(&format!("buildx exit status {status}")),
            "{stderr}"
        );
        let (code, _, stderr) = run(c
            .cmd()
            .env("FAKE_DOCKER_EXIT", status)
            .env("RESULT_FILE", c.path("r.json")));
        assert_eq!(code, Some(0), "{stderr}");
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(c.path("r.json")).unwrap()).unwrap();
        assert_eq!(doc["status"], "failed");
        assert_eq!(doc["exit_code"], status.parse::<i64>().unwrap());
    }
}

// ---- Item 11: the result file is replaced, never rewritten in place ----

#[test]
fn the_result_file_is_replaced_atomically() {
    use std::os::unix::fs::MetadataExt;
    let c = Case::new("fake-docker");
    c.node_app();
    let result = c.path("out/result.json");
    std::fs::create_dir_all(result.parent().unwrap()).unwrap();
    std::fs::write(&result, "{\"old\": true}\n").unwrap();
    // A reader that opened the old file keeps seeing a whole document.
    let held = std::fs::File::open(&result).unwrap();
    let before = std::fs::metadata(&result).unwrap().ino();
    let (code, _, stderr) = run(c.cmd().env("RESULT_FILE", &result));
    assert_eq!(code, Some(0), "{stderr}");
    let after = std::fs::metadata(&result).unwrap().ino();
    assert_ne!(before, after, "the result file was rewritten in place");
    let mut old = String::new();
    use std::io::Read;
    (&held).read_to_string(&mut old).unwrap();
    assert_eq!(old, "{\"old\": true}\n");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&result).unwrap()).unwrap();
    assert_eq!(doc["status"], "success");
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(result.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

// ---- Item 10: an interruption stops the whole process group ----

fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(") ").and_then(|(_, r)| r.chars().next()))
        .is_some_and(|state| state != 'Z')
}

#[test]
fn sigterm_stops_the_docker_process_group_and_writes_an_interrupted_result() {
    let c = Case::new("group-docker");
    c.node_app();
    let pids = c.path("pids");
    let result = c.path("result.json");
    let mut child = c
        .cmd()
        .env("FAKE_DOCKER_PID", &pids)
        .env("RESULT_FILE", &result)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let (docker, grandchild): (i32, i32) = loop {
        let text = std::fs::read_to_string(&pids).unwrap_or_default();
        let v: Vec<i32> = text
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect();
        if v.len() == 2 {
            break (v[0], v[1]);
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "docker never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success());
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        assert!(start.elapsed() < Duration::from_secs(60), "did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(code, Some(130));
    // The child ignored SIGTERM (SIGKILL after the grace period stopped it); the grandchild,
    // which only a signal to the group reaches, is gone too.
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive(docker) || alive(grandchild) {
        assert!(
            Instant::now() < deadline,
            "docker {docker} or its child {grandchild} still running"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&result).unwrap()).unwrap();
    assert_eq!(doc["status"], "interrupted", "{doc:#}");
    assert_eq!(doc["exit_code"], 130);
    assert_eq!(doc["language"], "nodejs");
}
