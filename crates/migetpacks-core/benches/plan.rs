//! detect + plan + render per fixture, and on a generated 50,000-file tree.
//!
//! `cargo bench -p migetpacks-core --bench plan` prints criterion's medians; `bench/cache.sh`
//! measures the same ratio for the `migetpacks plan` command (docs/performance.md).

use criterion::{criterion_group, criterion_main, Criterion};
use migetpacks_core::pipeline::{effective_tree, generate};
use migetpacks_core::settings::{EnvMap, Settings};
use migetpacks_core::source::SourceTree;
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    dirs.retain(|p| p.is_dir() && !p.ends_with("bad"));
    dirs.sort();
    dirs
}

/// A Node.js app buried in a monorepo-sized tree: 50,000 files in 500 folders.
fn big_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(
        root.join("package.json"),
        r#"{"scripts":{"start":"node index.js"}}"#,
    )
    .unwrap();
    std::fs::write(root.join("package-lock.json"), "{}").unwrap();
    std::fs::write(root.join("index.js"), "").unwrap();
    for d in 0..500 {
        let sub = root.join(format!("packages/p{d}/src"));
        std::fs::create_dir_all(&sub).unwrap();
        for f in 0..100 {
            std::fs::write(sub.join(format!("f{f}.js")), "").unwrap();
        }
    }
    dir
}

fn bench(c: &mut Criterion) {
    let mut env = EnvMap::new();
    env.insert("DOCKERFILE_SYNTAX".into(), String::new());
    let settings = Settings::from_env(&env).unwrap();
    let mut group = c.benchmark_group("plan");
    for dir in fixtures() {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let Ok(tree) = SourceTree::open(&dir) else {
            continue;
        };
        let tree = effective_tree(&settings, &tree).unwrap();
        if generate(&settings, &tree).is_err() {
            continue;
        }
        group.bench_function(&name, |b| b.iter(|| generate(&settings, &tree).unwrap()));
    }
    let big = big_tree();
    let tree = SourceTree::open(big.path()).unwrap();
    group.bench_function("tree-50000-files", |b| {
        b.iter(|| generate(&settings, &tree).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
