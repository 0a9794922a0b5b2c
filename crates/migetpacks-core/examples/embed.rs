//! Embedding migetpacks-core: detect, plan, render the Dockerfile and compose the BuildKit
//! cache flags from an in-memory source tree and environment, without touching the disk,
//! the process environment or the network.
//!
//! Run with `cargo run -p migetpacks-core --example embed`.

use migetpacks_core::cache::{cache_args, CacheSettings};
use migetpacks_core::pipeline::{effective_tree, generate};
use migetpacks_core::settings::{EnvMap, Settings};
use migetpacks_core::source::SourceTree;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The environment a platform would pass for one build (normally the process environment).
    let env: EnvMap = [
        ("OUTPUT_IMAGE", "registry.example.com/shop/api:v42"),
        ("CACHE_IMAGE", "registry.example.com/shop/api-cache"),
        ("BUILD_CACHE_DIR", "/var/lib/buildkit-cache"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();

    // The repository, as files in memory (`SourceTree::open(path)` reads a folder instead).
    let root = SourceTree::in_memory([
        ("requirements.txt", "flask==3.0.3\ngunicorn==22.0.0\n"),
        (".python-version", "3.12\n"),
        ("app.py", "from flask import Flask\napp = Flask(__name__)\n"),
        ("Procfile", "web: gunicorn app:app\n"),
    ]);

    let settings = Settings::from_env(&env)?;
    let tree = effective_tree(&settings, &root)?;
    let generated = generate(&settings, &tree)?;
    println!(
        "# {} ({})",
        generated.detection.display_name,
        generated.detection.evidence.join("; ")
    );
    println!("{}", generated.dockerfile);

    let cache = CacheSettings::from_env(&env)?;
    println!("cache flags: {}", cache_args(&cache).join(" "));
    Ok(())
}
