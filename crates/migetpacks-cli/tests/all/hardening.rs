//! Hardening guarantees of `migetpacks build` against a misbehaving fake `docker`
//! (tests/support/leaky-docker prints every environment value it sees):
//! - the secrets matrix: BUILD_VARS values, AWS_* keys, DHI credentials, other credential-like
//!   variables (registry passwords) and BUILD_SECRETS values never reach the Dockerfile, argv,
//!   output or result file; app.json generated secrets reach only the result file;
//! - BUILD_SECRETS become `--secret id=…,env=…` and secret mounts on install steps;
//! - SIGTERM during a build stops the docker child and removes the temporary folder;
//! - bad input through the binary: exit 2 or 3, one stderr line, no panic.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SECRETS: [(&str, &str); 8] = [
    ("AWS_ACCESS_KEY_ID", "AKIAFAKEACCESSKEY01"),
    ("AWS_SECRET_ACCESS_KEY", "aws-secret-value-0123456789"),
    ("AWS_SESSION_TOKEN", "aws-session-token-value-xyz"),
    ("DHI_USERNAME", "dhi-user-name-value"),
    ("DHI_PASSWORD", "dhi-password-value-123"),
    ("REGISTRY_PASSWORD", "registry-password-value"),
    ("NPM_TOKEN", "npm-token-secret-value"),
    ("GITHUB_TOKEN", "ghp_githubtokenvalue0000"),
];
const BUILD_VAR: &str = "build-var-secret-value";

struct Leaky {
    dir: tempfile::TempDir,
}

impl Leaky {
    fn new() -> Leaky {
        let dir = crate::support::fake_docker("leaky-docker");
        std::fs::create_dir(dir.path().join("tmp")).unwrap();
        // A Node.js app (install step to mount secrets on) with an app.json secret generator.
        let app = dir.path().join("app");
        std::fs::create_dir(&app).unwrap();
        for (name, text) in [
            (
                "package.json",
                r#"{"scripts":{"build":"node b.js","start":"node i.js"},"dependencies":{"ms":"2.1.3"}}"#,
            ),
            ("package-lock.json", "{}"),
            ("i.js", ""),
            (
                "app.json",
                r#"{"env":{"SECRET_KEY_BASE":{"generator":"secret"},"PLAIN":"x"}}"#,
            ),
        ] {
            std::fs::write(app.join(name), text).unwrap();
        }
        Leaky { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn cmd(&self) -> Command {
        Command::from_std(self.std_cmd())
    }

    fn std_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("migetpacks"));
        c.env_clear()
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.path("bin").display()),
            )
            .env("TMPDIR", self.path("tmp"))
            .env("FAKE_DOCKER_LOG", self.path("argv.log"))
            .env("OUTPUT_IMAGE", "r.io/acme/app:v1")
            .env("DOCKERFILE_SYNTAX", "")
            .env("BUILD_VARS", format!(r#"{{"API_KEY":"{BUILD_VAR}"}}"#))
            .env("BUILD_SECRETS", "NPM_TOKEN")
            .env("RESULT_FILE", self.path("result.json"));
        for (k, v) in SECRETS {
            c.env(k, v);
        }
        c
    }

    fn argv(&self) -> Vec<String> {
        std::fs::read_to_string(self.path("argv.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

fn all_secret_values() -> Vec<&'static str> {
    SECRETS.iter().map(|(_, v)| *v).chain([BUILD_VAR]).collect()
}

/// The generated app.json secret, found by its key anywhere in the result document.
fn generated_secret(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => o.iter().find_map(|(k, x)| {
            if k == "SECRET_KEY_BASE" {
                x.as_str()
                    .map(str::to_string)
                    .or_else(|| x.get("value").and_then(Value::as_str).map(str::to_string))
            } else {
                generated_secret(x)
            }
        }),
        Value::Array(a) => a.iter().find_map(generated_secret),
        _ => None,
    }
}

#[test]
fn secrets_matrix_success_and_failure() {
    for exit in ["0", "9"] {
        let f = Leaky::new();
        let out = f
            .cmd()
            .env("FAKE_DOCKER_EXIT", exit)
            .env("DEBUG", "true")
            .arg("build")
            .arg(f.path("app"))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(0), "RESULT_FILE set: {stderr}");
        // The leaky docker did print the environment: the build-arg value was there to leak.
        // Credentials docker does not need (DHI_PASSWORD, GITHUB_TOKEN, …) are not even in
        // its environment (docs/security.md §2).
        assert!(stdout.contains("#4 env: API_KEY=[MASKED]"), "{stdout}");
        assert!(!stdout.contains("#4 env: DHI_PASSWORD"), "{stdout}");
        assert!(
            stdout.contains("#4 stderr env: API_KEY=[MASKED]"),
            "{stdout}"
        );
        let result = std::fs::read_to_string(f.path("result.json")).unwrap();
        let doc: Value = serde_json::from_str(&result).unwrap();
        let argv = f.argv();
        assert!(!argv.is_empty());
        for v in all_secret_values() {
            assert!(!stdout.contains(v), "exit {exit}: {v} on stdout");
            assert!(!stderr.contains(v), "exit {exit}: {v} on stderr");
            assert!(
                !argv.iter().any(|a| a.contains(v)),
                "exit {exit}: {v} in argv"
            );
            assert!(!result.contains(v), "exit {exit}: {v} in the result file");
        }
        // DEBUG printed the Dockerfile: it holds the secret mount but no generated secret.
        assert!(stdout.contains("--mount=type=secret,id=NPM_TOKEN \\"));
        let generated = generated_secret(&doc).expect("app.json secret in the result file");
        assert!(generated.len() >= 16, "{generated}");
        assert!(!stdout.contains(&generated) && !stderr.contains(&generated));
        assert!(!argv.iter().any(|a| a.contains(&generated)));
        if exit != "0" {
            assert_eq!(doc["status"], "failed");
            assert!(
                doc["error"].as_str().unwrap().contains("[MASKED]"),
                "{result}"
            );
        }
    }
}

#[test]
fn build_secrets_reach_buildx_and_install_steps() {
    let f = Leaky::new();
    let out = f
        .cmd()
        .env("PATH", "/nonexistent")
        .args(["build", "--dry-run"])
        .arg(f.path("app"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    let argv: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(argv
        .windows(2)
        .any(|w| w[0] == "--secret" && w[1] == "id=NPM_TOKEN,env=NPM_TOKEN"));
    let folder = stderr
        .lines()
        .find_map(|l| l.strip_prefix("Dockerfile folder: "))
        .unwrap();
    let dockerfile = std::fs::read_to_string(Path::new(folder).join("Dockerfile")).unwrap();
    let install = dockerfile
        .split("\nRUN ")
        .find(|r| r.contains("npm ci"))
        .unwrap_or_else(|| panic!("no npm ci step:\n{dockerfile}"));
    assert!(
        install.starts_with("--mount=type=secret,id=NPM_TOKEN \\")
            && install.contains("NPM_TOKEN=\"$(cat /run/secrets/NPM_TOKEN)\"; export NPM_TOKEN"),
        "{install}"
    );
    for v in all_secret_values() {
        assert!(!dockerfile.contains(v), "{v} in the Dockerfile");
        assert!(!argv.iter().any(|a| a.contains(v)), "{v} in argv");
    }
    std::fs::remove_dir_all(folder).unwrap();
}

/// The state of a process (`Z` zombie, `S` sleeping, …), or `None` once it is gone.
fn proc_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(") ")
        .and_then(|(_, rest)| rest.chars().next())
}

#[test]
fn sigterm_stops_the_build_and_removes_the_temporary_folder() {
    let f = Leaky::new();
    let pid_file = f.path("docker.pid");
    let mut child = f
        .std_cmd()
        .env("FAKE_DOCKER_SLEEP", "1")
        .env("FAKE_DOCKER_PID", &pid_file)
        .arg("build")
        .arg(f.path("app"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let docker_pid: u32 = loop {
        if let Some(p) = std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|t| t.trim().parse().ok())
        {
            break p;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "docker never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let temps: Vec<_> = std::fs::read_dir(f.path("tmp")).unwrap().collect();
    assert_eq!(temps.len(), 1, "one migetpacks-* folder while building");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        assert!(start.elapsed() < Duration::from_secs(60), "did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(matches!(code, Some(130) | Some(143)), "{code:?}");
    // The sleeping docker child was killed (it may linger as a zombie until reaped).
    let deadline = Instant::now() + Duration::from_secs(10);
    while matches!(proc_state(docker_pid), Some(s) if s != 'Z') {
        assert!(Instant::now() < deadline, "docker child still running");
        std::thread::sleep(Duration::from_millis(50));
    }
    let left: Vec<_> = std::fs::read_dir(f.path("tmp"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "temporary folder left behind: {left:?}");
    let mut stderr = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(stderr.contains("interrupted"), "{stderr}");
}

/// A few corpus cases through the binary: exit 2 (settings) or 3 (source), exactly one
/// stderr line, no panic text.
#[test]
fn bad_inputs_through_the_binary() {
    let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bad");
    for (case, var, value, code, names) in [
        ("package-json-syntax", "", "", 3, "package.json"),
        ("package-json-binary", "", "", 3, "package.json"),
        ("procfile-no-colon", "", "", 3, "Procfile"),
        ("cargo-toml-syntax", "", "", 3, "Cargo.toml"),
        ("nothing", "", "", 3, "LANGUAGE"),
        ("nothing", "BUILD_VARS", "[1]", 2, "BUILD_VARS"),
        ("nothing", "RUN_COMMAND", "a\nRUN b", 2, "RUN_COMMAND"),
        ("nothing", "BUILD_COMMAND", "make \\", 2, "BUILD_COMMAND"),
        ("nothing", "PROJECT_PATH", "../..", 2, "PROJECT_PATH"),
        ("nothing", "CACHE_IMAGE", "r.io/a,b", 2, "CACHE_IMAGE"),
        ("nothing", "ARCH", "mips", 2, "ARCH"),
    ] {
        let mut c = Command::cargo_bin("migetpacks").unwrap();
        c.env_clear().env("PATH", "/nonexistent");
        if !var.is_empty() {
            c.env(var, value);
        }
        let out = c.args(["dockerfile"]).arg(bad.join(case)).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(code), "{case} {var}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{case} {var}: {stderr}");
        assert!(stderr.contains(names), "{case} {var}: {stderr}");
        assert!(!stderr.contains("panicked"), "{case} {var}: {stderr}");
    }
}
