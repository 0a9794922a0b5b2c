//! The repository is hostile (docs/security.md, issue 12): nothing it contains may add a
//! Dockerfile instruction, open a heredoc, leave the source folder, hang the parser or refuse
//! a valid app because some folder is large. Instructions are counted with a splitter that
//! follows BuildKit's own parser, heredocs included (tests/all/support/buildkit.rs).

use crate::support::buildkit;
use crate::support::env;
use migetpacks_core::compose;
use migetpacks_core::pipeline::generate;
use migetpacks_core::settings::{Settings, SettingsError};
use migetpacks_core::source::{SourceTree, MAX_LISTING};
use proptest::prelude::*;
use std::time::{Duration, Instant};

fn settings() -> Settings {
    Settings::from_env(&env(&[("DOCKERFILE_SYNTAX", "")])).unwrap()
}

/// `Ok(instruction count)` when the Dockerfile has exactly one instruction per planned step
/// (plus one `FROM` per stage) and opens no heredoc; `Err` describes the injection.
fn check_dockerfile(g: &migetpacks_core::pipeline::Generated) -> Result<usize, String> {
    let ins = buildkit::instructions(&g.dockerfile);
    if let Some(h) = ins.iter().find(|i| !i.heredocs.is_empty()) {
        return Err(format!(
            "heredoc {:?} opened by {:?}\n{}",
            h.heredocs, h.line, g.dockerfile
        ));
    }
    let planned: usize = g.plan.stages.iter().map(|s| s.steps.len() + 1).sum();
    if ins.len() != planned {
        return Err(format!(
            "{} instructions for {planned} steps\n{}",
            ins.len(),
            g.dockerfile
        ));
    }
    Ok(ins.len())
}

/// A real-looking project of each kind with `word` where the repository controls a name.
fn hostile_trees(word: &str) -> Vec<(&'static str, SourceTree)> {
    let json = serde_json::to_string(word).unwrap();
    let toml = toml::Value::String(word.to_string()).to_string();
    vec![
        (
            "go.mod module path",
            SourceTree::in_memory([
                ("go.mod", format!("module example.com/{word}\n\ngo 1.22\n")),
                ("main.go", "package main\n\nfunc main() {}\n".to_string()),
            ]),
        ),
        (
            "composer.json extension",
            SourceTree::in_memory([
                (
                    "composer.json",
                    format!(r#"{{"require":{{"php":">=8.2","ext-intl":"*",{}:"*"}}}}"#, serde_json::to_string(&format!("ext-{word}")).unwrap()),
                ),
                ("public/index.php", "<?php echo 'hi';".to_string()),
                ("index.php", "<?php".to_string()),
            ]),
        ),
        (
            ".csproj file name",
            SourceTree::in_memory([(
                format!("src/{word}.csproj"),
                r#"<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>"#.to_string(),
            ), ("src/Program.cs".to_string(), "var b = 1;".to_string())]),
        ),
        (
            "Cargo workspace member",
            SourceTree::in_memory([
                ("Cargo.toml".to_string(), format!("[workspace]\nmembers = [\"api\", {toml}]\nresolver = \"2\"\n")),
                ("Cargo.lock".to_string(), "version = 3\n".to_string()),
                ("api/Cargo.toml".to_string(), "[package]\nname = \"api\"\nversion = \"0.1.0\"\nedition = \"2021\"\n".to_string()),
                ("api/src/main.rs".to_string(), "fn main() {}\n".to_string()),
                (format!("{word}/Cargo.toml"), "[package]\nname = \"worker\"\nversion = \"0.1.0\"\nedition = \"2021\"\n".to_string()),
                (format!("{word}/src/lib.rs"), String::new()),
            ]),
        ),
        (
            "Maven module",
            SourceTree::in_memory([
                ("pom.xml".to_string(), format!("<project><modelVersion>4.0.0</modelVersion><groupId>com.acme</groupId><artifactId>shop</artifactId><version>1.0</version><packaging>pom</packaging><modules><module>{}</module><module>web</module></modules></project>", xml_escape(word))),
                ("web/pom.xml".to_string(), "<project><modelVersion>4.0.0</modelVersion><groupId>com.acme</groupId><artifactId>web</artifactId><version>1.0</version><packaging>jar</packaging></project>".to_string()),
                (format!("{word}/pom.xml"), "<project><modelVersion>4.0.0</modelVersion><groupId>com.acme</groupId><artifactId>core</artifactId><version>1.0</version></project>".to_string()),
            ]),
        ),
        (
            "Procfile command",
            SourceTree::in_memory([
                ("package.json", r#"{"name":"shop","scripts":{"build":"vite build","start":"node server.js"},"dependencies":{"express":"^4.19.2"}}"#.to_string()),
                ("package-lock.json", "{}".to_string()),
                ("server.js", String::new()),
                ("Procfile", format!("web: node server.js {word}\nworker: node {json}\n")),
            ]),
        ),
    ]
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Names biased towards what breaks Dockerfiles and shells: heredoc openers, substitutions,
/// separators, flags, variables.
fn hostile_word() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<<'USER 1000'".to_string()),
        Just("<<EOF".to_string()),
        Just("<<-X".to_string()),
        Just("<$A<X".to_string()),
        Just("3<<X".to_string()),
        Just("$(id)".to_string()),
        Just("`id`".to_string()),
        Just(";".to_string()),
        Just("&&".to_string()),
        Just(" ".to_string()),
        Just("-rf".to_string()),
        Just("$HOME".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("\\".to_string()),
        "[a-z]{1,6}",
        Just("/".to_string()),
    ];
    proptest::collection::vec(piece, 1..5).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn repository_words_never_add_an_instruction(word in hostile_word()) {
        let s = settings();
        for (what, tree) in hostile_trees(&word) {
            // Refusing the repository is fine; an injected instruction is not.
            if let Ok(g) = generate(&s, &tree) {
                if let Err(e) = check_dockerfile(&g) {
                    return Err(TestCaseError::fail(format!("{what} {word:?}: {e}")));
                }
            }
        }
    }
}

/// The attacks from the issue, one by one: each is refused or harmless, and ordinary names
/// still build.
#[test]
fn known_heredoc_attacks_are_refused() {
    let s = settings();
    for word in [
        "app <<'USER 1000'",
        "<<X",
        "gd <<'USER 1000'",
        "$(id)",
        "a;b",
        "-rf",
    ] {
        for (what, tree) in hostile_trees(word) {
            match generate(&s, &tree) {
                Ok(g) => {
                    check_dockerfile(&g).unwrap_or_else(|e| panic!("{what} {word:?}: {e}"));
                    // Whatever survived is quoted: no unquoted substitution reaches a RUN line.
                    for i in buildkit::instructions(&g.dockerfile) {
                        if i.keyword == "RUN" {
                            assert!(
                                !i.line.contains(" $(id)") && !i.line.contains(" a;b"),
                                "{what}: {}",
                                i.line
                            );
                        }
                    }
                }
                Err(e) => {
                    let msg = e.to_string();
                    assert!(!msg.contains('\n'), "{what}: {msg}");
                }
            }
        }
    }
    for word in ["app", "billing-api", "core_lib"] {
        for (what, tree) in hostile_trees(word) {
            let g = generate(&s, &tree).unwrap_or_else(|e| panic!("{what} {word}: {e}"));
            check_dockerfile(&g).unwrap();
        }
    }
}

#[test]
fn operator_shell_text_cannot_open_a_heredoc() {
    for var in [
        "BUILD_COMMAND",
        "MIX_ENV",
        "SBT_TASKS",
        "SBT_PROJECT",
        "LEIN_BUILD_TASK",
        "GO_LINKER_VALUE",
    ] {
        for value in ["make <<'USER 1000'", "cat <$A<EOF", "prod 3<<X"] {
            let e = Settings::from_env(&env(&[(var, value)])).unwrap_err();
            assert_eq!(
                e,
                SettingsError::Heredoc { var: var.into() },
                "{var}={value}"
            );
            assert!(e.to_string().starts_with(var));
        }
        // Quoted `<<` is text, not a heredoc.
        assert!(
            Settings::from_env(&env(&[(var, "echo '<<not a heredoc>>'")])).is_ok(),
            "{var}"
        );
    }
}

// ---- Item 14: lines over BuildKit's limit ----

#[test]
fn a_start_command_over_the_line_limit_is_refused_naming_its_source() {
    let s = settings();
    let tree = SourceTree::in_memory([
        (
            "requirements.txt",
            "flask==3.0.3\ngunicorn==22.0.0\n".to_string(),
        ),
        ("app.py", String::new()),
        (
            "Procfile",
            format!("web: gunicorn app:app --name {}\n", "x".repeat(200_000)),
        ),
    ]);
    let e = generate(&s, &tree).unwrap_err().to_string();
    assert!(e.starts_with("Procfile") && e.contains("65535"), "{e}");
    // A BUILD_COMMAND long enough to break the RUN line: the renderer refuses it.
    let long = Settings::from_env(&env(&[(
        "BUILD_COMMAND",
        &format!("echo {}", "y".repeat(70_000)),
    )]))
    .unwrap();
    let e = generate(&long, &tree_node()).unwrap_err().to_string();
    assert!(e.contains("RUN") && e.contains("65535"), "{e}");
}

fn tree_node() -> SourceTree {
    SourceTree::in_memory([
        ("package.json", r#"{"scripts":{"start":"node i.js"}}"#),
        ("package-lock.json", "{}"),
        ("i.js", ""),
    ])
}

// ---- Item 8: compose nesting is bounded before parsing ----

#[test]
fn deeply_nested_compose_is_refused_quickly() {
    for (open, close, n) in [("[", "]", 80_000), ("{a: ", "}", 40_000)] {
        let text = format!("services: {}{}\n", open.repeat(n), close.repeat(n));
        assert!(text.len() > 150_000);
        let start = Instant::now();
        let e = compose::parse(&text, "compose.yaml")
            .unwrap_err()
            .to_string();
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{:?}",
            start.elapsed()
        );
        assert!(
            e.starts_with("compose.yaml") && e.contains("nested more than"),
            "{e}"
        );
    }
    // An apostrophe inside a plain scalar or a block scalar cannot hide the nesting.
    for prefix in ["x: it's\n", "x: |\n  \"\ny: 1\n", "x: a \"b\n"] {
        let text = format!("{prefix}services: {}{}\n", "[".repeat(200), "]".repeat(200));
        let e = compose::parse(&text, "compose.yaml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("nested more than"), "{prefix:?}: {e}");
    }
    // Brackets inside quoted scalars and comments do not count; real files parse.
    let fine = format!(
        "# {}\nservices:\n  web:\n    build: .\n    command: [\"sh\", \"-c\", \"echo '{}'\"]\n    labels: {{a: [1, [2, [3]]]}}\n",
        "[".repeat(500),
        "[".repeat(500)
    );
    assert!(compose::parse(&fine, "compose.yaml").is_ok());
    // Indentation deeper than any real file.
    let deep = format!("services:\n{}x: 1\n", " ".repeat(1000));
    assert!(compose::parse(&deep, "compose.yaml").is_err());
}

// ---- Item 1: compose paths resolve through the source view ----

#[test]
fn compose_paths_that_leave_the_source_folder_are_refused() {
    use std::os::unix::fs::symlink;
    let cases: [(&str, &str); 5] = [
        ("context: link", "build context"),
        ("context: .\n      dockerfile: Dockerfile.x", "dockerfile"),
        (
            "context: .\n      additional_contexts:\n        extra: link",
            "additional_contexts",
        ),
        (
            "context: .\n    env_file: env.link\n    x-y:\n      z: 1",
            "env_file",
        ),
        (
            "context: .\n      secrets: [key]\nsecrets:\n  key:\n    file: key.link",
            "secret file",
        ),
    ];
    for (build, what) in cases {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        std::fs::write(p.join("Dockerfile"), "FROM scratch\n").unwrap();
        symlink("/", p.join("link")).unwrap();
        symlink("/etc/hostname", p.join("Dockerfile.x")).unwrap();
        symlink("/etc/passwd", p.join("env.link")).unwrap();
        symlink("/etc/passwd", p.join("key.link")).unwrap();
        let text = format!("services:\n  web:\n    build:\n      {build}\n");
        std::fs::write(p.join("compose.yaml"), &text).unwrap();
        let tree = SourceTree::open(p).unwrap();
        let file = compose::parse(&text, "compose.yaml").unwrap_or_else(|e| panic!("{text}: {e}"));
        // The text-only check passes: the escape is a symlink.
        assert!(compose::plan_services(&file, "").is_ok());
        let e = compose::resolve_services(&file, "", &tree)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("compose.yaml")
                && e.contains(what)
                && e.contains("outside the source folder"),
            "{what}: {e}"
        );
    }
    // Links that stay inside are fine.
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::create_dir(p.join("api")).unwrap();
    std::fs::write(p.join("api/Dockerfile"), "FROM scratch\n").unwrap();
    symlink("api", p.join("svc")).unwrap();
    let text = "services:\n  api:\n    build: svc\n";
    let file = compose::parse(text, "compose.yaml").unwrap();
    let s = compose::resolve_services(&file, "", &SourceTree::open(p).unwrap()).unwrap();
    assert_eq!(s[0].dockerfile_rel, "svc/Dockerfile");
}

// ---- Item 9: listing caps stop a search, never refuse a valid app ----

fn wide(dir: &std::path::Path, ext: &str) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..=MAX_LISTING {
        std::fs::write(dir.join(format!("asset{i}.{ext}")), "").unwrap();
    }
}

#[test]
fn a_large_asset_folder_does_not_refuse_the_app() {
    let s = settings();
    // Node.js with a big public/ folder.
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::write(
        p.join("package.json"),
        r#"{"name":"site","scripts":{"start":"node server.js"}}"#,
    )
    .unwrap();
    std::fs::write(p.join("package-lock.json"), "{}").unwrap();
    std::fs::write(p.join("server.js"), "").unwrap();
    wide(&p.join("public"), "png");
    let g = generate(&s, &SourceTree::open(p).unwrap()).unwrap_or_else(|e| panic!("node: {e}"));
    assert!(
        g.detection
            .evidence
            .iter()
            .chain(&g.plan.notes)
            .any(|e| e.contains("public: more than 10000 entries")),
        "{:?} {:?}",
        g.detection.evidence,
        g.plan.notes
    );
    // .NET with a big wwwroot/.
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::write(p.join("Shop.csproj"), r#"<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>"#).unwrap();
    std::fs::write(p.join("Program.cs"), "").unwrap();
    wide(&p.join("wwwroot/img"), "png");
    let g = generate(&s, &SourceTree::open(p).unwrap()).unwrap_or_else(|e| panic!("dotnet: {e}"));
    assert_eq!(
        g.detection.language,
        migetpacks_core::language::Language::Dotnet
    );
}

#[test]
fn a_huge_root_folder_does_not_refuse_an_app_whose_markers_are_visible() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    wide(p, "txt");
    std::fs::write(
        p.join("package.json"),
        r#"{"scripts":{"start":"node server.js"}}"#,
    )
    .unwrap();
    std::fs::write(p.join("server.js"), "").unwrap();
    let g = generate(&settings(), &SourceTree::open(p).unwrap()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        g.detection.language,
        migetpacks_core::language::Language::Nodejs
    );
    assert!(
        g.detection
            .evidence
            .iter()
            .any(|e| e.starts_with(".: more than 10000 entries")),
        "{:?}",
        g.detection.evidence
    );
}
