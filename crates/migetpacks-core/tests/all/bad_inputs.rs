//! The bad-input corpus: every case must fail with the expected error variant and a one-line
//! message naming the offending file or variable, without panicking or hanging.
//!
//! Committed cases live in `fixtures/bad/<case>/` with a `case.toml` (written by
//! `scripts/make-bad-fixtures.py`); cases that cannot be committed (symlinks, FIFOs,
//! non-UTF-8 names, huge files, deep or wide trees) are built here in temporary folders.
//! Each case runs the whole pure pipeline the CLI runs: `Settings::from_env` → `OUTPUT_IMAGE`
//! parse → `SourceTree::open` → `effective_tree` → app.json → detect → (compose parse |
//! `generate`).

use crate::support::env;
use migetpacks_core::compose;
use migetpacks_core::detect::detect;
use migetpacks_core::imageref::ImageRef;
use migetpacks_core::language::Language;
use migetpacks_core::pipeline::{effective_tree, generate};
use migetpacks_core::settings::{EnvMap, Settings};
use migetpacks_core::source::{SourceTree, MAX_LISTING, MAX_READ};
use migetpacks_core::{appjson, Error};
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// A failed run: the error's variant path (`Detect::Source::NotUtf8`) and its message.
#[derive(Debug)]
struct Failed {
    category: String,
    message: String,
}

/// The variant path of an error from its `Debug` form: `Detect(Source(NotUtf8 { .. }))` ⇒
/// `Detect::Source::NotUtf8`. Tuple variants nest; the first struct variant or unit ends it.
fn category(e: &impl Debug) -> String {
    let dbg = format!("{e:?}");
    let mut parts = Vec::new();
    let mut rest = dbg.as_str();
    loop {
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        parts.push(&rest[..end]);
        if rest[end..].starts_with('(') && rest[end + 1..].starts_with(char::is_uppercase) {
            rest = &rest[end + 1..];
        } else {
            break;
        }
    }
    parts.join("::")
}

fn fail(prefix: &str, e: impl Debug + std::fmt::Display) -> Failed {
    let inner = category(&e);
    Failed {
        category: if prefix.is_empty() {
            inner
        } else {
            format!("{prefix}::{inner}")
        },
        message: e.to_string(),
    }
}

/// The pipeline the `build` command runs before docker, as pure calls. Returns the generated
/// Dockerfile (empty in Dockerfile and compose modes).
fn run_pipeline(env: &EnvMap, dir: &Path) -> Result<String, Failed> {
    let settings = Settings::from_env(env).map_err(|e| fail("", Error::from(e)))?;
    if let Some(out) = &settings.output_image {
        // RefError is a struct, so its category is its type name.
        ImageRef::parse(out).map_err(|e| Failed {
            category: "ImageRef".into(),
            message: e.to_string(),
        })?;
    }
    let root = SourceTree::open(dir).map_err(|e| fail("", Error::from(e)))?;
    let tree = effective_tree(&settings, &root).map_err(|e| fail("", e))?;
    appjson::from_source(&tree).map_err(|e| fail("AppJson", e))?;
    let detection = detect(&settings, &tree).map_err(|e| fail("", Error::from(e)))?;
    match detection.language {
        Language::Dockerfile => Ok(String::new()),
        Language::Compose => {
            let rel = detection.compose_file.unwrap_or_default();
            let text = tree
                .read(&rel)
                .map_err(|e| fail("Compose::Read", e))?
                .unwrap_or_default();
            let file = compose::parse(&text, &rel).map_err(|e| fail("Compose", e))?;
            let dir = Path::new(&rel)
                .parent()
                .and_then(Path::to_str)
                .unwrap_or("");
            compose::resolve_services(&file, dir, &tree).map_err(|e| fail("Compose", e))?;
            Ok(String::new())
        }
        _ => generate(&settings, &tree)
            .map(|g| g.dockerfile)
            .map_err(|e| fail("", e)),
    }
}

/// Run one case on its own thread: a panic or a hang (10 s) is a test failure.
fn run_guarded(name: &str, env: EnvMap, dir: PathBuf) -> Result<String, Failed> {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let r = run_pipeline(&env, &dir);
        let _ = tx.send(r);
    });
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok(r) => r,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{name}: hung for more than 10 s"),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let why = handle
                .join()
                .err()
                .and_then(|p| p.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            panic!("{name}: panicked: {why}")
        }
    }
}

/// Assert a case fails as expected (or, for category `ok`, succeeds without `names` in the
/// Dockerfile); returns a description of the mismatch otherwise.
fn check(
    name: &str,
    env: EnvMap,
    dir: PathBuf,
    want_category: &str,
    names: &str,
    starts: Option<&str>,
) -> Option<String> {
    match run_guarded(name, env, dir) {
        Ok(dockerfile) if want_category == "ok" => dockerfile
            .contains(names)
            .then(|| format!("{name}: Dockerfile contains {names:?}:\n{dockerfile}")),
        Ok(_) => Some(format!("{name}: succeeded, expected {want_category}")),
        Err(f) if want_category == "ok" => Some(format!(
            "{name}: failed, expected success: {}: {}",
            f.category, f.message
        )),
        Err(f) => {
            let mut bad = Vec::new();
            if f.category != want_category {
                bad.push(format!("category {} (want {want_category})", f.category));
            }
            if !f.message.contains(names) {
                bad.push(format!("message does not name {names:?}"));
            }
            if f.message.contains('\n') {
                bad.push("message spans several lines".to_string());
            }
            if let Some(s) = starts {
                if !f.message.starts_with(s) {
                    bad.push(format!("message does not start with {s:?}"));
                }
            }
            (!bad.is_empty()).then(|| format!("{name}: {}: {:?}", bad.join(", "), f.message))
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    category: String,
    names: String,
    message_starts: Option<String>,
    #[serde(default)]
    env: EnvMap,
}

fn bad_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/bad")
}

#[test]
fn committed_corpus() {
    let mut problems = Vec::new();
    let mut count = 0;
    let mut entries: Vec<_> = std::fs::read_dir(bad_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for dir in entries {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(dir.join("case.toml"))
            .unwrap_or_else(|e| panic!("{name}: case.toml: {e}"));
        let case: CaseFile = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        count += 1;
        if let Some(p) = check(
            &name,
            case.env,
            dir.clone(),
            &case.category,
            &case.names,
            case.message_starts.as_deref(),
        ) {
            problems.push(p);
        }
    }
    assert!(count >= 80, "corpus shrank to {count} cases");
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// A temporary source folder with a Node.js marker, for the generated cases.
fn temp_app() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("index.js"), "").unwrap();
    d
}

/// Cases that cannot be committed to git, built on disk here.
#[test]
fn generated_corpus() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::symlink;
    let mut problems = Vec::new();
    let mut keep = Vec::new();
    let mut case = |name: &str, build: &dyn Fn(&Path), e: EnvMap, category: &str, names: &str| {
        let d = temp_app();
        build(d.path());
        if let Some(p) = check(name, e, d.path().to_path_buf(), category, names, None) {
            problems.push(p);
        }
        keep.push(d);
    };
    let none = EnvMap::new;

    case(
        "package-json-symlink-loop",
        &|p| symlink("package.json", p.join("package.json")).unwrap(),
        none(),
        "Detect::Source::BadLink",
        "package.json",
    );
    case(
        "package-json-symlink-outside",
        &|p| symlink("/etc/hostname", p.join("package.json")).unwrap(),
        none(),
        "Detect::Source::OutsideSource",
        "package.json",
    );
    case(
        "nvmrc-symlink-outside",
        &|p| {
            std::fs::write(p.join("package.json"), "{}").unwrap();
            symlink("/etc/passwd", p.join(".nvmrc")).unwrap();
        },
        none(),
        "Detect::Source::OutsideSource",
        ".nvmrc",
    );
    case(
        "package-json-fifo",
        // Tests run as root, so an unreadable mode would not stop a read; a FIFO would block
        // a naive reader forever.
        &|p| {
            let path =
                std::ffi::CString::new(p.join("package.json").as_os_str().as_bytes()).unwrap();
            // SAFETY: mkfifo with a valid NUL-terminated path.
            assert_eq!(unsafe { mkfifo(path.as_ptr(), 0o644) }, 0);
        },
        none(),
        "Detect::Source::NotAFile",
        "package.json",
    );
    case(
        "package-json-huge",
        &|p| {
            let mut s = String::from("{\"name\": \"");
            s.push_str(&"a".repeat(MAX_READ as usize));
            s.push_str("\"}");
            std::fs::write(p.join("package.json"), s).unwrap();
        },
        none(),
        "Detect::Source::TooLarge",
        "package.json",
    );
    case(
        "procfile-huge",
        &|p| {
            std::fs::write(p.join("requirements.txt"), "six\n").unwrap();
            std::fs::remove_file(p.join("index.js")).unwrap();
            std::fs::write(
                p.join("Procfile"),
                "web: ".to_string() + &"x".repeat(2 << 20),
            )
            .unwrap();
        },
        none(),
        "Plan::Source::TooLarge",
        "Procfile",
    );
    case(
        "project-path-symlink-outside",
        &|p| symlink("/etc", p.join("apps")).unwrap(),
        env(&[("PROJECT_PATH", "apps")]),
        "Detect::ProjectPath",
        "PROJECT_PATH",
    );
    case(
        "dockerfile-path-symlink-outside",
        &|p| symlink("/etc/passwd", p.join("Dockerfile.prod")).unwrap(),
        env(&[("DOCKERFILE_PATH", "Dockerfile.prod")]),
        "Detect::NotFound",
        "DOCKERFILE_PATH",
    );
    case(
        "compose-file-symlink-loop",
        &|p| {
            symlink("b.yaml", p.join("a.yaml")).unwrap();
            symlink("a.yaml", p.join("b.yaml")).unwrap();
        },
        env(&[("COMPOSE_FILE", "a.yaml")]),
        "Detect::NotFound",
        "COMPOSE_FILE",
    );
    // Compose paths are resolved through the source view (issue 12, item 1).
    case(
        "compose-context-symlink-root",
        &|p| {
            std::fs::write(
                p.join("compose.yaml"),
                "services:\n  web:\n    build: hostroot\n",
            )
            .unwrap();
            symlink("/", p.join("hostroot")).unwrap();
        },
        env(&[("LANGUAGE", "compose")]),
        "Compose::Service",
        "compose.yaml",
    );
    case(
        "compose-dockerfile-symlink-outside",
        &|p| {
            std::fs::write(
                p.join("compose.yaml"),
                "services:\n  web:\n    build:\n      context: .\n      dockerfile: Dockerfile.x\n",
            )
            .unwrap();
            symlink("/etc/shadow", p.join("Dockerfile.x")).unwrap();
        },
        env(&[("LANGUAGE", "compose")]),
        "Compose::Service",
        "outside the source folder",
    );
    case(
        "project-path-wide-folder",
        &|p| {
            let wide = p.join("wide");
            std::fs::create_dir(&wide).unwrap();
            for i in 0..=MAX_LISTING {
                std::fs::write(wide.join(format!("f{i}.csproj")), "").unwrap();
            }
        },
        env(&[("PROJECT_PATH", "wide"), ("LANGUAGE", "dotnet")]),
        // A listing cap stops the search for project files (it never fails the app by
        // itself, issue 12 item 9): with every project file in the capped folder, none is
        // found.
        "Plan::Manifest",
        "*.csproj",
    );
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

extern "C" {
    fn mkfifo(path: *const std::os::raw::c_char, mode: u32) -> i32;
}

/// Trees that are odd but legal must still build: non-UTF-8 names are skipped or shown lossily,
/// deep trees and symlink loops in folders are not followed, links out are never read.
#[test]
fn odd_but_valid_trees_still_generate() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::symlink;
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::write(
        p.join("package.json"),
        r#"{"scripts":{"start":"node index.js"}}"#,
    )
    .unwrap();
    std::fs::write(p.join("index.js"), "").unwrap();
    std::fs::write(p.join(std::ffi::OsStr::from_bytes(b"\xff\xfe.js")), "").unwrap();
    std::fs::create_dir(p.join(std::ffi::OsStr::from_bytes(b"dir\xc3"))).unwrap();
    // A symlink loop between folders and a link to the filesystem root.
    std::fs::create_dir(p.join("a")).unwrap();
    symlink("../a", p.join("a/loop")).unwrap();
    symlink("/", p.join("rootlink")).unwrap();
    symlink("/etc/passwd", p.join("Gemfile")).unwrap();
    symlink("missing-target", p.join("dangling")).unwrap();
    // A tree 300 folders deep.
    let mut deep = p.join("deep");
    for i in 0..300 {
        deep = deep.join(format!("d{i}"));
    }
    std::fs::create_dir_all(&deep).unwrap();
    std::fs::write(deep.join("App.csproj"), "<Project/>").unwrap();
    let r = run_guarded(
        "odd-tree",
        env(&[("DOCKERFILE_SYNTAX", "")]),
        p.to_path_buf(),
    );
    assert!(r.is_ok(), "{r:?}");
    let s = Settings::from_env(&EnvMap::new()).unwrap();
    let g = generate(&s, &SourceTree::open(p).unwrap()).unwrap();
    // The outside Gemfile link is not followed: this is Node.js, not Ruby.
    assert_eq!(g.detection.language, Language::Nodejs);
    assert!(!g.dockerfile.contains("root:x:0:0"));
}

#[test]
fn category_parses_debug_paths() {
    #[derive(Debug)]
    #[allow(dead_code)]
    enum Inner {
        Leaf { x: u8 },
        Unit,
    }
    #[derive(Debug)]
    #[allow(dead_code)]
    enum Outer {
        Wrap(Inner),
        Text(String),
    }
    assert_eq!(category(&Outer::Wrap(Inner::Leaf { x: 1 })), "Wrap::Leaf");
    assert_eq!(category(&Outer::Wrap(Inner::Unit)), "Wrap::Unit");
    assert_eq!(category(&Outer::Text("Abc(".into())), "Text");
}
