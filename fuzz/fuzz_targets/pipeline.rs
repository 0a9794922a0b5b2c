//! Whole pipeline over an in-memory tree: settings → detect → plan → render. Never panics;
//! no user value adds an instruction or opens a heredoc (instructions are split the way
//! BuildKit's parser splits them, heredocs included), and no secret reaches the Dockerfile.
#![no_main]
#[path = "../../crates/migetpacks-core/tests/all/support/buildkit.rs"]
mod buildkit;
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use migetpacks_core::pipeline::{effective_tree, generate};
use migetpacks_core::settings::{EnvMap, Settings};
use migetpacks_core::source::SourceTree;

/// Marker and version files the detectors read.
const FILES: [&str; 28] = [
    "package.json", "yarn.lock", "pnpm-lock.yaml", "package-lock.json", ".nvmrc",
    "requirements.txt", "pyproject.toml", ".python-version", "runtime.txt", "Pipfile",
    "Gemfile", ".ruby-version", "config.ru", "go.mod", "Cargo.toml", "src/main.rs",
    "composer.json", "index.php", "pom.xml", "build.gradle", "App.csproj", "global.json",
    "mix.exs", "deno.json", "Procfile", "app.json", "Dockerfile", "compose.yaml",
];
const VARS: [&str; 8] = [
    "LANGUAGE", "BUILD_COMMAND", "RUN_COMMAND", "BUILD_ENV", "VITE_X", "USE_DHI",
    "BUILD_SECRETS", "PROJECT_PATH",
];

#[derive(Arbitrary, Debug)]
struct Input {
    files: Vec<(u8, String)>,
    env: Vec<(u8, String)>,
}

fuzz_target!(|inp: Input| {
    // Text the input itself holds is not a leak when it shows up in the Dockerfile.
    let echoes_secret = inp
        .files
        .iter()
        .chain(inp.env.iter())
        .any(|(_, v)| v.contains("fuzz-secret-value"));
    let mut env = EnvMap::new();
    env.insert("DOCKERFILE_SYNTAX".into(), String::new());
    env.insert("BUILD_VARS".into(), r#"{"API_TOKEN":"fuzz-secret-value"}"#.into());
    for (i, v) in inp.env {
        env.insert(VARS[i as usize % VARS.len()].to_string(), v);
    }
    let tree = SourceTree::in_memory(
        inp.files
            .into_iter()
            .map(|(i, text)| (FILES[i as usize % FILES.len()].to_string(), text)),
    );
    let Ok(settings) = Settings::from_env(&env) else { return };
    let Ok(tree) = effective_tree(&settings, &tree) else { return };
    if let Ok(g) = generate(&settings, &tree) {
        assert!(echoes_secret || !g.dockerfile.contains("fuzz-secret-value"));
        let steps: usize = g.plan.stages.iter().map(|s| s.steps.len() + 1).sum();
        let ins = buildkit::instructions(&g.dockerfile);
        assert!(
            ins.iter().all(|i| i.heredocs.is_empty()),
            "heredoc opened:\n{}",
            g.dockerfile
        );
        let count = ins.len();
        assert_eq!(count, steps, "{}", g.dockerfile);
    }
});
