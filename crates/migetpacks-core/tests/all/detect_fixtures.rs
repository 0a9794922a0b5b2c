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
