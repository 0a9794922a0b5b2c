//! Helpers for the end-to-end tests: the engine's environment, fixture copies, bounded
//! `migetpacks build` runs, BuildKit log reading, the registry API, and HTTP checks of
//! running images.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A build that takes longer than this is killed and fails its test.
const BUILD_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a started container gets to answer on its port. FastAPI on a busy 2-core machine
/// took more than 20 s to import (the venv has no bytecode and `PYTHONDONTWRITEBYTECODE` is set).
const HTTP_WAIT: Duration = Duration::from_secs(60);

/// Variables the engine's env file sets (scripts/engine.sh) and every build needs.
const REQUIRED: [&str; 3] = ["DOCKER_HOST", "DOCKER_CONFIG", "REGISTRY"];
/// Passed through when set.
const OPTIONAL: [&str; 6] = [
    "PATH",
    "HOME",
    "DOCKER_BUILDKIT",
    "BUILDX_BUILDER",
    "BUILDX_NO_DEFAULT_ATTESTATIONS",
    "TMPDIR",
];

/// The running engine: its registry and the environment for `docker` and `migetpacks`.
pub struct Engine {
    /// `host:port` of the local registry.
    pub registry: String,
    env: Vec<(String, String)>,
}

/// The engine from the environment; fails the test with instructions when it is not set up.
pub fn engine() -> Engine {
    let mut env = Vec::new();
    for name in REQUIRED {
        match std::env::var(name) {
            Ok(v) if !v.is_empty() => env.push((name.to_string(), v)),
            _ => panic!(
                "{name} is not set: the end-to-end tests need the local BuildKit engine. Run \
                 `bash scripts/engine.sh up && . \"$(bash scripts/engine.sh env)\"` first \
                 (scripts/test.sh does this), then `cargo test -p migetpacks-cli --test e2e -- \
                 --ignored --test-threads=1`"
            ),
        }
    }
    for name in OPTIONAL {
        if let Ok(v) = std::env::var(name) {
            env.push((name.to_string(), v));
        }
    }
    let registry = std::env::var("REGISTRY").unwrap_or_default();
    Engine { registry, env }
}

/// A name unique to this test run: `<what>-<pid>-<milliseconds>`.
pub fn unique(what: &str) -> String {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    format!("{what}-{}-{ms}", std::process::id())
}

/// The binary under test: `MIGETPACKS_BIN` (optional) or cargo's.
pub fn bin() -> PathBuf {
    std::env::var_os("MIGETPACKS_BIN")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_migetpacks")))
}

/// A private copy of a fixture, which a test may edit.
pub struct App {
    _dir: tempfile::TempDir,
    /// The copy's root folder (the build's source folder).
    pub path: PathBuf,
}

impl App {
    /// Copy `fixtures/<name>` and make its dependency manifest unique to this run, so no other
    /// build on the shared engine produces the same install layer (the cache assertions then
    /// only see this test's own layers).
    pub fn new(fixture: &str, nonce: &str) -> App {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(fixture);
        let dir = tempfile::Builder::new()
            .prefix("migetpacks-e2e-")
            .tempdir()
            .unwrap();
        let path = dir.path().join(fixture);
        copy_tree(&src, &path);
        let app = App { _dir: dir, path };
        match fixture {
            "python-pip" => app.append("requirements.txt", &format!("# e2e {nonce}\n")),
            "go-mod" => app.append("go.mod", &format!("// e2e {nonce}\n")),
            "node-npm" => app.replace(
                "package.json",
                "\"private\": true,",
                &format!("\"private\": true,\n  \"description\": \"e2e {nonce}\","),
            ),
            _ => {}
        }
        app
    }

    /// Append text to a file of the copy.
    pub fn append(&self, rel: &str, text: &str) {
        let p = self.path.join(rel);
        let mut s = std::fs::read_to_string(&p).unwrap();
        s.push_str(text);
        std::fs::write(p, s).unwrap();
    }

    /// Replace the first occurrence of `from` (which must be there) in a file of the copy.
    pub fn replace(&self, rel: &str, from: &str, to: &str) {
        let p = self.path.join(rel);
        let s = std::fs::read_to_string(&p).unwrap();
        assert!(s.contains(from), "{rel} has no {from:?}");
        std::fs::write(p, s.replacen(from, to, 1)).unwrap();
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every path under `root` (folders too) with its file contents and permission bits, so any
/// write, new file, deletion or chmod shows up as a difference.
pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, (u32, Vec<u8>)> {
    use std::os::unix::fs::PermissionsExt;
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let content = if meta.is_dir() {
                stack.push(path.clone());
                Vec::new()
            } else if meta.file_type().is_symlink() {
                // A link is its target (it may lead out of the folder, or to a folder).
                std::fs::read_link(&path)
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes()
            } else {
                std::fs::read(&path).unwrap()
            };
            out.insert(rel, (meta.permissions().mode(), content));
        }
    }
    out
}

/// One finished `migetpacks build`.
pub struct Build {
    /// Exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Standard output: the console log with BuildKit's plain progress.
    pub stdout: String,
    /// Standard error: warnings and the failure line.
    pub stderr: String,
    /// The parsed `RESULT_FILE`, when the run was given one and wrote it.
    pub result: Option<Value>,
    /// Built a second time after an engine failure (see [`build_in`]).
    pub retried: bool,
}

impl Build {
    /// Exit 0 and a result file that says success; returns the first image's digest.
    #[track_caller]
    pub fn assert_success(&self) -> String {
        assert_eq!(self.code, Some(0), "build failed:\n{}", self.log());
        let r = self.result.as_ref().expect("no result file");
        assert_eq!(r["status"], "success", "{r:#}");
        let digest = r["images"][0]["digest"].as_str().unwrap_or_default();
        assert!(digest.starts_with("sha256:"), "no digest in {r:#}");
        digest.to_string()
    }

    /// Stdout and stderr, for failure messages.
    pub fn log(&self) -> String {
        format!("--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr)
    }

    /// Whether the build output has a line containing `needle`.
    pub fn printed(&self, needle: &str) -> bool {
        self.stdout.contains(needle)
    }

    /// What BuildKit did with the step whose header contains `instruction`
    /// (`RUN npm ci`, `COPY . .`): `Some(true)` cached, `Some(false)` ran, `None` not in the log.
    pub fn cached(&self, instruction: &str) -> Option<bool> {
        let ids: Vec<&str> = self
            .stdout
            .lines()
            .map(str::trim)
            .filter(|l| l.contains("] ") && l.ends_with(instruction))
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        let id = ids.first()?;
        Some(
            self.stdout
                .lines()
                .any(|l| l.trim() == format!("{id} CACHED")),
        )
    }

    /// The instructions of the steps whose instruction starts with one of `kinds` (`RUN `),
    /// each once, as [`Build::cached`] takes them.
    pub fn steps(&self, kinds: &[&str]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for line in self.stdout.lines().map(str::trim) {
            let Some((_, instruction)) = line.split_once("] ") else {
                continue;
            };
            let is_header = line.starts_with('#') && line.contains(" [");
            if is_header
                && kinds.iter().any(|k| instruction.starts_with(k))
                && !out.iter().any(|s| s == instruction)
            {
                out.push(instruction.to_string());
            }
        }
        out
    }

    /// Assert that a step ran (was not taken from any cache).
    #[track_caller]
    pub fn assert_ran(&self, instruction: &str) {
        assert_eq!(
            self.cached(instruction),
            Some(false),
            "step `{instruction}` should have run\n{}",
            self.log()
        );
    }

    /// Assert that a step came from the cache (or was not needed at all).
    #[track_caller]
    pub fn assert_reused(&self, instruction: &str) {
        assert_ne!(
            self.cached(instruction),
            Some(false),
            "step `{instruction}` should have been reused\n{}",
            self.log()
        );
    }
}

/// Run `migetpacks build <app>` with the engine's environment, `DOCKERFILE_SYNTAX=` (the
/// frontend image is on Docker Hub) and `vars`, killed after [`BUILD_TIMEOUT`]. Asserts that
/// the source folder is byte-identical afterwards. `RESULT_FILE` is set unless `vars` sets it.
pub fn build(engine: &Engine, app: &App, vars: &[(&str, &str)]) -> Build {
    build_in(engine, &app.path, vars)
}

/// [`build`] for a folder.
///
/// dockerd 26's containerd snapshotter sometimes loses a parent snapshot while unpacking the
/// result into its image store right after a prune ("failed to prepare extraction snapshot …
/// parent snapshot … does not exist"). It also fails a build after its push with a bare
/// `ERROR: failed to solve: not found` (seen when another client pruned the build cache
/// meanwhile). That is the engine's bookkeeping, not our build: such a build is run once more
/// after the engine settles.
pub fn build_in(engine: &Engine, source: &Path, vars: &[(&str, &str)]) -> Build {
    let b = build_once(engine, source, vars);
    let flake = |b: &Build| {
        (b.stdout.contains("failed to prepare extraction snapshot")
            && b.stdout.contains("does not exist"))
            || (b.stdout.contains("pushing manifest for")
                && b.stdout
                    .lines()
                    .any(|l| l.trim() == "ERROR: failed to solve: not found"))
    };
    if flake(&b) {
        eprintln!("the engine lost track of a snapshot or ref; building once more");
        std::thread::sleep(Duration::from_secs(3));
        return Build {
            retried: true,
            ..build_once(engine, source, vars)
        };
    }
    b
}

fn build_once(engine: &Engine, source: &Path, vars: &[(&str, &str)]) -> Build {
    let before = snapshot(source);
    let out = tempfile::tempdir().unwrap();
    let result = out.path().join("result.json");
    let mut cmd = Command::new(bin());
    cmd.env_clear()
        .envs(engine.env.iter().map(|(k, v)| (k, v)))
        .env("DOCKERFILE_SYNTAX", "");
    if !vars.iter().any(|(k, _)| *k == "RESULT_FILE") {
        cmd.env("RESULT_FILE", &result);
    }
    let result = vars
        .iter()
        .find(|(k, _)| *k == "RESULT_FILE")
        .map(|(_, v)| PathBuf::from(v))
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(result);
    cmd.envs(vars.iter().copied())
        .arg("build")
        .arg(source)
        .stdout(std::fs::File::create(out.path().join("stdout")).unwrap())
        .stderr(std::fs::File::create(out.path().join("stderr")).unwrap())
        .stdin(Stdio::null())
        // Own process group, so a timeout kills buildx with it.
        .process_group(0);
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > BUILD_TIMEOUT {
            let _ = Command::new("kill")
                .args(["-KILL", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            panic!(
                "build of {} did not finish within {BUILD_TIMEOUT:?}; killed. Output:\n{}",
                source.display(),
                std::fs::read_to_string(out.path().join("stdout")).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let b = Build {
        code: status.code(),
        stdout: std::fs::read_to_string(out.path().join("stdout")).unwrap(),
        stderr: std::fs::read_to_string(out.path().join("stderr")).unwrap(),
        result: std::fs::read_to_string(&result)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok()),
        retried: false,
    };
    eprintln!(
        "build of {} ({vars:?}): exit {:?} after {:.1}s",
        source.display(),
        b.code,
        started.elapsed().as_secs_f64()
    );
    assert!(
        snapshot(source) == before,
        "the build changed the source folder {}",
        source.display()
    );
    b
}

/// `docker <args>` with the engine's environment: (success, stdout + stderr).
pub fn docker(engine: &Engine, args: &[&str]) -> (bool, String) {
    let out = Command::new("docker")
        .env_clear()
        .envs(engine.env.iter().map(|(k, v)| (k, v)))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("docker CLI not found on PATH");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Forget everything local, so only the registry cache can help the next build: drop the
/// builder's whole cache and remove the given images from the engine.
pub fn forget_local(engine: &Engine, images: &[&str]) {
    for image in images {
        let _ = docker(engine, &["image", "rm", "-f", image]);
    }
    let (ok, text) = docker(engine, &["buildx", "prune", "-af"]);
    assert!(ok, "docker buildx prune -af failed: {text}");
    // Let containerd's garbage collection finish before the next build unpacks layers.
    std::thread::sleep(Duration::from_secs(2));
}

/// The tags of a registry repository; `None` when the registry does not know it.
pub fn registry_tags(engine: &Engine, repo: &str) -> Option<Vec<String>> {
    let (status, body) = http_get(&engine.registry, &format!("/v2/{repo}/tags/list"))
        .unwrap_or_else(|e| panic!("registry {} did not answer: {e}", engine.registry));
    if status == 404 {
        return None;
    }
    assert_eq!(status, 200, "registry tags/list of {repo}: {body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    Some(
        v["tags"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    )
}

/// A plain HTTP/1.0 GET: (status code, body).
pub fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut text = String::new();
    s.read_to_string(&mut text)?;
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

/// A TCP port that nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Removes a container when dropped, also when the test fails.
struct Container<'a> {
    engine: &'a Engine,
    id: String,
}

impl Drop for Container<'_> {
    fn drop(&mut self) {
        let _ = docker(self.engine, &["rm", "-f", &self.id]);
    }
}

/// Run `image` with `PORT=<free port>` on the host network, wait up to [`HTTP_WAIT`] for an
/// HTTP 200 on that port, remove the container, and return the response body.
pub fn serves_http(engine: &Engine, image: &str) -> String {
    let port = free_port();
    let (ok, out) = docker(
        engine,
        &[
            "run",
            "-d",
            "--network=host",
            "-e",
            &format!("PORT={port}"),
            image,
        ],
    );
    assert!(ok, "docker run {image}: {out}");
    let c = Container {
        engine,
        id: out.lines().last().unwrap_or_default().trim().to_string(),
    };
    let deadline = Instant::now() + HTTP_WAIT;
    let mut last = String::new();
    while Instant::now() < deadline {
        match http_get(&format!("127.0.0.1:{port}"), "/") {
            Ok((200, body)) => return body,
            Ok((status, body)) => last = format!("HTTP {status}: {body}"),
            Err(e) => last = e.to_string(),
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let (_, logs) = docker(engine, &["logs", &c.id]);
    panic!("{image} did not answer HTTP 200 on port {port} within {HTTP_WAIT:?} ({last}); container log:\n{logs}");
}
