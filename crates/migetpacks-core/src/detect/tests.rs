use super::*;
use crate::pipeline::analyze;
use crate::settings::EnvMap;

type Files<'a> = &'a [(&'a str, &'a str)];

fn settings(env: Files) -> Settings {
    let map: EnvMap = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_env(&map).unwrap()
}

fn run(env: Files, files: Files) -> Result<Detection, DetectError> {
    detect(
        &settings(env),
        &SourceTree::in_memory(files.iter().copied()),
    )
}

fn ok(env: Files, files: Files) -> Detection {
    run(env, files).unwrap_or_else(|e| panic!("{env:?} {files:?}: {e}"))
}

/// The detector vectors verified against the original (docs/detection.md). `Err` holds the start of
/// the expected error message. Rows marked "corrected" differ from the original on purpose.
#[test]
fn verified_detector_vectors() {
    let bun_types = r#"{"devDependencies":{"bun-types":"^1.0.0"}}"#;
    let cases: &[(Files, Files, Result<&str, &str>)] = &[
        // corrected (docs/differences.md): a lockfile without package.json cannot build.
        (
            &[],
            &[("yarn.lock", "")],
            Err("package.json: not found, but yarn.lock is present"),
        ),
        (&[], &[("package.json", bun_types)], Ok("Bun")),
        // corrected (docs/differences.md): any `project/` folder is not Scala.
        (
            &[],
            &[("project/README", "x")],
            Err("Unable to detect language"),
        ),
        (
            &[],
            &[("project/build.properties", "sbt.version=1.10.0")],
            Ok("Scala"),
        ),
        (
            &[],
            &[("a/b/c/X.csproj", "")],
            Err("Unable to detect language"),
        ),
        (&[], &[("a/b/X.csproj", "")], Ok(".NET")),
        (
            &[],
            &[("src/main/kotlin/A.kt", ""), ("build.gradle", "")],
            Ok("Kotlin"),
        ),
        (&[], &[("build.gradle.kts", "")], Ok("Java (Gradle)")),
        (
            &[],
            &[("build.gradle.kts", "plugins { kotlin(\"jvm\") }")],
            Ok("Kotlin"),
        ),
        (
            &[],
            &[("deno.json", "{}"), ("package.json", "{}"), ("Gemfile", "")],
            Ok("Deno"),
        ),
        (
            &[],
            &[("Dockerfile", "FROM x"), ("package.json", "{}")],
            Ok("Node.js"),
        ),
        (&[], &[("Rakefile", "")], Ok("Ruby")),
        (&[], &[("index.php", "<?php")], Ok("PHP")),
        (&[], &[("glide.yaml", "")], Ok("Go")),
        (
            &[],
            &[("pom.xml", "<project/>"), ("settings.gradle.kts", "")],
            Ok("Kotlin"),
        ),
        // corrected: a compose file is the last resort instead of a failure.
        (&[], &[("compose.yaml", "services: {}")], Ok("Compose")),
        // corrected (docs/differences.md): a wrong COMPOSE_FILE is an error, not a fallback.
        (
            &[("COMPOSE_FILE", "nope.yaml")],
            &[("compose.yaml", "services: {}")],
            Err("COMPOSE_FILE not found: nope.yaml"),
        ),
        (&[], &[("mix.lock", "")], Ok("Elixir")),
        (&[], &[("App.sln", "")], Ok(".NET")),
        (&[], &[("deps.edn", "{}")], Ok("Clojure")),
        (&[], &[("build.sc", "")], Ok("Scala")),
        (
            &[],
            &[("package.json", r#"{"packageManager":"npm@10"}"#)],
            Ok("Node.js"),
        ),
        (
            &[],
            &[
                ("package-lock.json", "{}"),
                ("yarn.lock", ""),
                ("package.json", "{}"),
            ],
            Ok("Node.js (yarn)"),
        ),
    ];
    for (env, files, want) in cases {
        match (run(env, files), want) {
            (Ok(d), Ok(name)) => assert_eq!(d.display_name, *name, "{files:?}"),
            (Err(e), Err(msg)) => assert!(e.to_string().starts_with(msg), "{files:?}: {e}"),
            (got, _) => panic!("{env:?} {files:?}: got {got:?}, want {want:?}"),
        }
    }
}

/// Every row of the detector (docs/detection.md) with its display name and language id.
#[test]
fn detector_rows_and_display_names() {
    let cases: &[(Files, &str, Language)] = &[
        (&[("deno.jsonc", "{}")], "Deno", Language::Deno),
        (&[("deno.lock", "{}")], "Deno", Language::Deno),
        (&[("Gemfile", "")], "Ruby", Language::Ruby),
        (&[("config.ru", "")], "Ruby", Language::Ruby),
        (&[("requirements.txt", "")], "Python", Language::Python),
        (&[("setup.py", "")], "Python", Language::Python),
        (&[("Pipfile", "")], "Python", Language::Python),
        (&[("pyproject.toml", "")], "Python", Language::Python),
        (&[("go.mod", "module x")], "Go", Language::Go),
        (&[("Godeps/Godeps.json", "{}")], "Go", Language::Go),
        (&[("Cargo.toml", "")], "Rust", Language::Rust),
        (&[("Cargo.lock", "")], "Rust", Language::Rust),
        (&[("mix.exs", "")], "Elixir", Language::Elixir),
        (&[("build.sbt", "")], "Scala", Language::Scala),
        (&[("project/plugins.sbt", "")], "Scala", Language::Scala),
        (&[("project.clj", "")], "Clojure", Language::Clojure),
        (
            &[("build.gradle", "apply plugin: 'kotlin'")],
            "Kotlin",
            Language::Kotlin,
        ),
        (
            &[
                ("build.gradle", "id 'org.jetbrains.kotlin.jvm'\n"),
                ("pom.xml", ""),
            ],
            "Kotlin",
            Language::Kotlin,
        ),
        (&[("pom.xml", "")], "Java (Maven)", Language::Java),
        (
            &[("pom.xml", ""), ("build.gradle", "")],
            "Java (Maven)",
            Language::Java,
        ),
        (
            &[("build.gradle", "apply plugin: 'java'")],
            "Java (Gradle)",
            Language::Java,
        ),
        (&[("composer.json", "{}")], "PHP", Language::Php),
        (&[("global.json", "{}")], ".NET", Language::Dotnet),
        (&[("App.slnx", "")], ".NET", Language::Dotnet),
        (&[("Api.fsproj", "")], ".NET", Language::Dotnet),
        (&[("src/Api.vbproj", "")], ".NET", Language::Dotnet),
        (&[("bun.lock", "")], "Bun", Language::Bun),
        (&[("bun.lockb", "")], "Bun", Language::Bun),
        (&[("bunfig.toml", "")], "Bun", Language::Bun),
        (&[(".bun-version", "1.1.0")], "Bun", Language::Bun),
        (
            &[("package.json", r#"{"dependencies":{"@types/bun":"1"}}"#)],
            "Bun",
            Language::Bun,
        ),
        (
            &[("package.json", r#"{"packageManager":"bun@1.1.0"}"#)],
            "Bun",
            Language::Bun,
        ),
        (
            &[("package.json", "{}"), ("pnpm-lock.yaml", "")],
            "Node.js (pnpm)",
            Language::Nodejs,
        ),
        (
            &[("package.json", "{}"), ("package-lock.json", "{}")],
            "Node.js",
            Language::Nodejs,
        ),
        (
            &[("package.json", r#"{"packageManager":"yarn@4.1.0"}"#)],
            "Node.js (yarn)",
            Language::Nodejs,
        ),
        (
            &[("Dockerfile", "FROM x")],
            "Dockerfile",
            Language::Dockerfile,
        ),
        (&[("docker-compose.yml", "")], "Compose", Language::Compose),
    ];
    for (files, name, lang) in cases {
        let d = ok(&[], files);
        assert_eq!(
            (d.display_name.as_str(), d.language),
            (*name, *lang),
            "{files:?}"
        );
        assert!(!d.evidence.is_empty(), "{files:?}: no evidence");
    }
}

#[test]
fn language_overrides_detection_with_evidence() {
    let d = ok(
        &[("LANGUAGE", "python")],
        &[("Gemfile", ""), ("app.py", "")],
    );
    assert_eq!(d.language, Language::Python);
    assert_eq!(d.display_name, "Python");
    assert_eq!(d.evidence, ["LANGUAGE=python"]);
    let d = ok(&[("LANGUAGE", "java")], &[("build.gradle", "")]);
    assert_eq!(d.display_name, "Java (Gradle)");
    assert_eq!(d.package_manager, Some(PackageManager::Gradle));
}

#[test]
fn nodejs_needs_package_json_when_forced() {
    let e = run(&[("LANGUAGE", "nodejs")], &[("index.js", "")]).unwrap_err();
    assert!(e.to_string().starts_with("package.json: not found"), "{e}");
}

#[test]
fn buildpacks_variable() {
    let d = ok(
        &[("BUILDPACKS", "heroku/ruby, miget/nodejs,python,nodejs")],
        &[("package.json", "{}"), ("yarn.lock", "")],
    );
    assert_eq!(d.language, Language::Ruby);
    assert_eq!(d.additional, [Language::Nodejs, Language::Python]);
    assert!(d
        .evidence
        .contains(&"BUILDPACKS[0]: heroku/ruby → primary ruby".into()));
    assert!(d
        .evidence
        .contains(&"BUILDPACKS[1]: miget/nodejs → additional nodejs".into()));
    assert_eq!(d.js_project.unwrap().package_manager, PackageManager::Yarn);
    assert_eq!(d.package_manager, None);

    // BUILDPACKS beats LANGUAGE, with a warning.
    let d = ok(&[("BUILDPACKS", "go"), ("LANGUAGE", "python")], &[]);
    assert_eq!(d.language, Language::Go);
    assert!(
        d.warnings[0].contains("LANGUAGE=python is overridden"),
        "{:?}",
        d.warnings
    );

    // A single explicit entry turns off the automatic Node.js runtime (docs/differences.md).
    let d = ok(
        &[("BUILDPACKS", "ruby")],
        &[("Gemfile", ""), ("package.json", "{}")],
    );
    assert!(d.additional.is_empty());
    assert!(d.js_project.is_none());

    let e = run(&[("BUILDPACKS", "ruby,heroku/apt")], &[]).unwrap_err();
    assert!(
        matches!(&e, DetectError::UnknownBuildpack { origin, .. } if origin == "BUILDPACKS[1]")
    );
}

#[test]
fn app_json_buildpacks_last_entry_is_primary() {
    // Heroku's rule: the last buildpack is the app's; Node.js before it builds the assets.
    let app = r#"{"buildpacks":["https://github.com/heroku/heroku-buildpack-nodejs",{"url":"heroku/ruby"}]}"#;
    let d = ok(&[], &[("app.json", app), ("package.json", "{}")]);
    assert_eq!(d.language, Language::Ruby);
    assert_eq!(d.additional, [Language::Nodejs]);
    for line in [
        "app.json buildpacks[0]: https://github.com/heroku/heroku-buildpack-nodejs → additional nodejs",
        "app.json buildpacks[1]: heroku/ruby → primary ruby",
    ] {
        assert!(d.evidence.contains(&line.into()), "{:?}", d.evidence);
    }
    // Three entries: the last is primary, the others stay additional in their order.
    let three = r#"{"buildpacks":["heroku/nodejs","heroku/python","heroku/go"]}"#;
    let d = ok(&[], &[("app.json", three)]);
    assert_eq!(d.language, Language::Go);
    assert_eq!(d.additional, [Language::Nodejs, Language::Python]);

    // LANGUAGE keeps the primary; the rest are still additional.
    let d = ok(&[("LANGUAGE", "python")], &[("app.json", app)]);
    assert_eq!(d.language, Language::Python);
    assert_eq!(d.additional, [Language::Nodejs]);
    assert!(d.warnings[0].contains("LANGUAGE=python wins"));
    assert_eq!(d.evidence[0], "LANGUAGE=python");

    // BUILDPACKS wins over app.json.
    let d = ok(&[("BUILDPACKS", "go")], &[("app.json", app)]);
    assert_eq!(d.language, Language::Go);
    assert!(d
        .warnings
        .iter()
        .any(|w| w.contains("app.json buildpacks are ignored")));

    let e = run(
        &[],
        &[("app.json", r#"{"buildpacks":[{"url":"heroku/apt"}]}"#)],
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("app.json buildpacks[0]"), "{e}");
    let e = run(&[], &[("app.json", "{oops"), ("Gemfile", "")]).unwrap_err();
    assert!(e.to_string().starts_with("app.json: not valid JSON"), "{e}");
}

#[test]
fn automatic_node_runtime_beside_backends() {
    let d = ok(
        &[],
        &[
            ("Gemfile", ""),
            ("package.json", "{}"),
            ("pnpm-lock.yaml", ""),
        ],
    );
    assert_eq!(d.language, Language::Ruby);
    assert_eq!(d.additional, [Language::Nodejs]);
    assert_eq!(
        d.js_project.as_ref().unwrap().package_manager,
        PackageManager::Pnpm
    );
    assert!(d
        .evidence
        .iter()
        .any(|e| e.starts_with("package.json: present beside ruby")));
    // LANGUAGE alone is not a buildpack list: Node.js is still added.
    let d = ok(&[("LANGUAGE", "python")], &[("package.json", "{}")]);
    assert_eq!(d.additional, [Language::Nodejs]);
    // Not for JavaScript runtimes.
    for files in [
        &[("deno.json", "{}"), ("package.json", "{}")][..],
        &[("bun.lockb", ""), ("package.json", "{}")][..],
    ] {
        assert!(ok(&[], files).additional.is_empty(), "{files:?}");
    }
    // An explicit nodejs runtime without package.json is a runtime only.
    let d = ok(&[("BUILDPACKS", "ruby,nodejs")], &[("Gemfile", "")]);
    assert_eq!(d.additional, [Language::Nodejs]);
    assert!(d.js_project.is_none());
}

#[test]
fn next_standalone_for_primary_and_additional_node() {
    let files: Files = &[
        ("package.json", "{}"),
        (
            "next.config.js",
            "module.exports = { output: 'standalone' }",
        ),
    ];
    assert!(ok(&[], files).next_standalone);
    let mut with_gemfile = files.to_vec();
    with_gemfile.push(("Gemfile", ""));
    let d = ok(&[], &with_gemfile);
    assert_eq!(d.language, Language::Ruby);
    assert!(d.next_standalone);
    assert!(d
        .evidence
        .contains(&"next.config.js: output standalone".into()));
}

#[test]
fn dockerfile_and_compose_settings() {
    let files: Files = &[
        ("package.json", "{}"),
        ("docker/prod.Dockerfile", "FROM x"),
        ("Dockerfile", "FROM y"),
        ("deploy/compose.yaml", ""),
    ];
    let d = ok(&[("DOCKERFILE_PATH", "docker/prod.Dockerfile")], files);
    assert_eq!(d.language, Language::Dockerfile);
    assert_eq!(d.dockerfile.as_deref(), Some("docker/prod.Dockerfile"));
    assert_eq!(d.evidence, ["DOCKERFILE_PATH=docker/prod.Dockerfile"]);

    // A missing DOCKERFILE_PATH is an error even though ./Dockerfile exists.
    let e = run(&[("DOCKERFILE_PATH", "nope/Dockerfile")], files).unwrap_err();
    assert_eq!(
        e.to_string(),
        "DOCKERFILE_PATH not found: nope/Dockerfile (paths are relative to the source folder)"
    );

    let d = ok(&[("COMPOSE_FILE", "deploy/compose.yaml")], files);
    assert_eq!(d.language, Language::Compose);
    assert_eq!(d.compose_file.as_deref(), Some("deploy/compose.yaml"));

    let d = ok(&[("LANGUAGE", "dockerfile")], files);
    assert_eq!(d.dockerfile.as_deref(), Some("Dockerfile"));
    assert!(d.additional.is_empty() && d.js_project.is_none());
    let e = run(&[("LANGUAGE", "Dockerfile")], &[("package.json", "{}")]).unwrap_err();
    assert_eq!(e, DetectError::NoDockerfile);
    let e = run(&[("LANGUAGE", "compose")], &[("package.json", "{}")]).unwrap_err();
    assert_eq!(e, DetectError::NoComposeFile);
    let d = ok(&[("LANGUAGE", "compose")], &[("docker-compose.yaml", "")]);
    assert_eq!(d.compose_file.as_deref(), Some("docker-compose.yaml"));

    // Ignored settings are reported.
    let d = ok(
        &[("LANGUAGE", "nodejs"), ("DOCKERFILE_PATH", "Dockerfile")],
        files,
    );
    assert_eq!(d.language, Language::Nodejs);
    assert!(d
        .warnings
        .iter()
        .any(|w| w.starts_with("DOCKERFILE_PATH=Dockerfile is ignored")));
}

#[test]
fn kotlin_search_is_depth_bounded() {
    let shallow = ok(
        &[],
        &[
            ("build.gradle", ""),
            ("src/main/kotlin/com/example/app/Main.kt", ""),
        ],
    );
    assert_eq!(shallow.language, Language::Kotlin);
    assert_eq!(
        shallow.evidence[0],
        "src/main/kotlin/com/example/app/Main.kt: present"
    );
    let deep = ok(
        &[],
        &[("build.gradle", ""), ("src/a/b/c/d/e/f/g/Main.kt", "")],
    );
    assert_eq!(deep.display_name, "Java (Gradle)");
}

#[test]
fn project_path_selects_the_subfolder() {
    let root = SourceTree::in_memory([
        ("apps/web/package.json", "{}"),
        ("apps/api/go.mod", "module api\n\ngo 1.21\n"),
        ("Gemfile", ""),
    ]);
    let a = analyze(&settings(&[("PROJECT_PATH", "apps/api")]), &root).unwrap();
    assert_eq!(a.detection.language, Language::Go);
    assert_eq!(a.version.unwrap().value, "1.21");
    let e = analyze(&settings(&[("PROJECT_PATH", "apps/nope")]), &root).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("PROJECT_PATH does not exist: apps/nope"),
        "{e}"
    );
}

#[test]
fn analysis_resolves_additional_versions() {
    let root = SourceTree::in_memory([
        ("Gemfile", "ruby '3.3.0'\n"),
        ("package.json", r#"{"engines":{"node":"20.x"}}"#),
    ]);
    let a = analyze(&settings(&[]), &root).unwrap();
    assert_eq!(a.version.unwrap().value, "3.3.0");
    assert_eq!(a.additional_versions.len(), 1);
    assert_eq!(a.additional_versions[0].language, Language::Nodejs);
    assert_eq!(a.additional_versions[0].version.value, "20");
    let d = analyze(
        &settings(&[]),
        &SourceTree::in_memory([("Dockerfile", "FROM x")]),
    )
    .unwrap();
    assert!(d.version.is_none());
}

#[cfg(unix)]
#[test]
fn links_give_errors_not_hangs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src/main")).unwrap();
    // A directory loop under src/: the Kotlin search must not follow it.
    std::os::unix::fs::symlink("..", root.join("src/main/loop")).unwrap();
    std::fs::write(root.join("pom.xml"), "<project/>").unwrap();
    let s = settings(&[]);
    let d = detect(&s, &SourceTree::open(root).unwrap()).unwrap();
    assert_eq!(d.display_name, "Java (Maven)");
    // A marker that is a link loop is an error naming the file.
    std::fs::remove_file(root.join("pom.xml")).unwrap();
    std::os::unix::fs::symlink("build.gradle.kts", root.join("build.gradle.kts")).unwrap();
    let e = detect(&s, &SourceTree::open(root).unwrap()).unwrap_err();
    assert!(
        e.to_string().starts_with("build.gradle.kts: symlink loop"),
        "{e}"
    );
}

#[test]
fn detection_serialises_with_stable_field_names() {
    let d = ok(&[], &[("package.json", "{}"), ("yarn.lock", "")]);
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(v["language"], "nodejs");
    assert_eq!(v["display_name"], "Node.js (yarn)");
    assert_eq!(v["package_manager"], "yarn");
    assert_eq!(v["js_project"]["lockfile"], "yarn.lock");
}
