//! Detection and version snapshots over every folder of `fixtures/` (see fixtures/README.md).

use crate::support::{self, fixtures_dir};
use migetpacks_core::detect::DetectError;
use migetpacks_core::pipeline::analyze;
use migetpacks_core::settings::Settings;
use migetpacks_core::source::SourceTree;
use std::path::Path;

/// The settings of a fixture: its `fixture.env`, else the defaults.
fn fixture_settings(dir: &Path) -> Settings {
    Settings::from_env(&support::fixture_env(dir))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
}

fn analyze_fixture(dir: &Path) -> Result<migetpacks_core::pipeline::Analysis, DetectError> {
    let tree = SourceTree::open(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    analyze(&fixture_settings(dir), &tree)
}

#[test]
fn every_fixture_detects() {
    let root = fixtures_dir().canonicalize().unwrap();
    insta::glob!(fixtures_dir(), "*", |path| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        // The glob also yields the fixtures folder itself and loose files such as README.md.
        if !path.is_dir() || name == "bad" || path == root {
            return;
        }
        let analysis = analyze_fixture(path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_file_snapshot!(json "every_fixture_detects", analysis);
    });
}

// `fixtures/bad/<case>` cases are checked by `tests/bad_inputs.rs` (category, named file
// or variable, one-line message) over the whole pipeline.

/// LANGUAGE picks the primary language even where another language's marker exists; the
/// default start command is someone else's concern, but it must see Python here.
#[test]
fn language_override_fixture_is_python() {
    let a = analyze_fixture(&fixtures_dir().join("language-override")).unwrap();
    assert_eq!(a.detection.language.id(), "python");
    assert!(a
        .detection
        .evidence
        .contains(&"LANGUAGE=python".to_string()));
}

/// The pins the end-to-end tests rely on (they exist on the test engine).
#[test]
fn engine_pins() {
    for (fixture, lang, version) in [
        ("python-pip", "python", "3.11"),
        ("node-npm", "nodejs", "18"),
        ("go-mod", "go", "1.19"),
    ] {
        let a = analyze_fixture(&fixtures_dir().join(fixture)).unwrap();
        assert_eq!(a.detection.language.id(), lang, "{fixture}");
        assert_eq!(a.version.unwrap().value, version, "{fixture}");
    }
}

/// A developer's shell sets gettext's `LANGUAGE=en_US:en` and `DEBUG=express:*`: neither stops
/// the build, each leaves a note, and the prefixed `MIGETPACKS_PORT` is a setting.
#[test]
fn shell_locale_and_debug_pattern_are_ignored() {
    let dir = fixtures_dir().join("node-express-shell-env");
    let s = fixture_settings(&dir);
    assert_eq!((s.language, s.debug, s.port), (None, false, 3000));
    assert_eq!(s.notes.len(), 2, "{:?}", s.notes);
    let a = analyze_fixture(&dir).unwrap();
    assert_eq!(a.detection.language.id(), "nodejs");
    assert_eq!(a.version.unwrap().value, "20");
}

/// XML project files are parsed: a commented-out `<java.version>8</java.version>` and a
/// commented-out `<TargetFramework>net6.0</TargetFramework>` lose to the real elements, and a
/// `${…}` property reference resolves.
#[test]
fn xml_versions_ignore_comments_and_resolve_properties() {
    assert_versions(&[
        ("java-maven-spring-properties", "17", "pom.xml java.version"),
        (
            "dotnet-directory-build-props",
            "8.0",
            "Directory.Build.props TargetFramework",
        ),
    ]);
}

/// The multi-language version files and the newer manifest fields (docs/detection.md).
#[test]
fn version_files_and_toolchains() {
    assert_versions(&[
        (
            "python-flask-tool-versions",
            "3.12.4",
            ".tool-versions python",
        ),
        ("go-toolchain-mise", "1.23.2", "go.mod toolchain"),
        (
            "rust-axum-stable-channel",
            "stable",
            "rust-toolchain.toml toolchain.channel",
        ),
    ]);
}

/// Each fixture's `(version, source)`.
fn assert_versions(cases: &[(&str, &str, &str)]) {
    for (fixture, version, source) in cases {
        let v = analyze_fixture(&fixtures_dir().join(fixture))
            .unwrap()
            .version
            .unwrap();
        let got = (v.value.as_str(), v.source.as_str());
        assert_eq!(got, (*version, *source), "{fixture}");
    }
}

/// app.json follows Heroku's rule: the last buildpack is the app's language, the earlier ones
/// are additional runtimes (`[heroku/nodejs, heroku/ruby]` is a Rails app with Node assets).
#[test]
fn app_json_last_buildpack_is_primary() {
    let a = analyze_fixture(&fixtures_dir().join("rails-heroku-app-json")).unwrap();
    assert_eq!(a.detection.language.id(), "ruby");
    let additional: Vec<&str> = a.detection.additional.iter().map(|l| l.id()).collect();
    assert_eq!(additional, ["nodejs"]);
}
