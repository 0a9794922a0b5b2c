//! Bun provider: snapshots of the generated Dockerfiles and the behaviour they must have.

use crate::support::plan as plan_support;

use migetpacks_core::detect::PackageManager;
use migetpacks_core::language::Language;
use migetpacks_core::plan::Phase;
use plan_support::*;

const BUN: Option<PackageManager> = Some(PackageManager::Bun);

/// A build script and a text lockfile.
const BUILD: &[(&str, &str)] = &[
    (
        "package.json",
        r#"{"name":"api","scripts":{"build":"bun build ./src/index.ts --outdir dist --target bun","start":"bun dist/index.js"},"dependencies":{"hono":"^4"}}"#,
    ),
    ("bun.lock", "{}\n"),
    ("bunfig.toml", "[install]\nexact = true\n"),
    ("src/index.ts", "export default {}\n"),
];

/// No build script, the binary lockfile, an entry file found by name.
const PLAIN: &[(&str, &str)] = &[
    ("package.json", r#"{"dependencies":{"hono":"^4"}}"#),
    ("bun.lockb", "\0bun"),
    ("server.ts", "export default {}\n"),
];

#[test]
fn snapshots() {
    for (name, g) in variants(Language::Bun, BUN, "1.3.4", BUILD, "bun run start") {
        snapshot(&format!("bun_build__{name}"), &g);
    }
    for (name, g) in variants(Language::Bun, BUN, "1.3.4", PLAIN, "bun run server.ts") {
        snapshot(&format!("bun_plain__{name}"), &g);
    }
}

#[test]
fn install_before_source_with_the_right_lockfile() {
    let g = generate(Language::Bun, BUN, "1.3.4", BUILD, &[]);
    assert_order(
        &g.dockerfile,
        &[
            "COPY package.json bun.lock bunfig.toml ./",
            "RUN bun install --frozen-lockfile",
            "COPY . .",
            "bun run build",
            "bun install --frozen-lockfile --production",
            "COPY --from=builder --chown=1000:1000 /build /app",
        ],
    );
    assert_eq!(g.plan.start_command.command, "bun run start");
    let g = generate(Language::Bun, BUN, "1.3.4", PLAIN, &[]);
    let d = &g.dockerfile;
    assert!(
        d.contains("COPY package.json bun.lockb ./")
            && d.contains("RUN bun install --frozen-lockfile --production")
    );
    // No build: dependencies from the builder, the source as the last layer.
    assert!(!d.contains("COPY . .") && g.plan.phase(Phase::Build).is_empty());
    assert_order(
        d,
        &[
            "/build/node_modules /app/node_modules",
            "COPY --chown=1000:1000 . /app",
        ],
    );
    assert_eq!(g.plan.start_command.command, "bun run server.ts");
    // Without a lockfile: no frozen install and no second (re-resolving) install.
    let unlocked = [
        ("package.json", r#"{"scripts":{"build":"tsc"}}"#),
        ("index.ts", ""),
    ];
    let d = generate(Language::Bun, BUN, "1.3.4", &unlocked, &[]).dockerfile;
    assert!(
        d.contains("RUN bun install\n")
            && !d.contains("--frozen-lockfile")
            && !d.contains("rm -rf node_modules"),
        "{d}"
    );
}

#[test]
fn cache_mounts_only_with_build_cache_dir() {
    assert!(generate(Language::Bun, BUN, "1.3.4", BUILD, &[])
        .plan
        .cache_mounts
        .is_empty());
    let g = generate(
        Language::Bun,
        BUN,
        "1.3.4",
        BUILD,
        &[("BUILD_CACHE_DIR", "/c"), ("CACHE_KEY", "api")],
    );
    assert_mounts_keyed(&g.dockerfile, "api");
    assert_eq!(g.plan.cache_mounts.len(), 1);
    assert_eq!(g.plan.cache_mounts[0].target, "/root/.bun/install/cache");
}

#[test]
fn hardened_images_and_commands() {
    let g = generate(Language::Bun, BUN, "1.3.4", BUILD, &[("USE_DHI", "true")]);
    assert_eq!(
        (g.plan.build_image.as_str(), g.plan.runtime_image.as_str()),
        ("dhi.io/bun:1.3.6-dev", "dhi.io/bun:1.3.6")
    );
    assert!(g
        .plan
        .warnings
        .iter()
        .any(|w| w.contains("1.3.4") && w.contains("1.3.6")));
    assert_eq!(g.plan.version, "1.3.6");
    // `bun run start` needs a shell; the script body runs directly.
    assert!(
        g.dockerfile.contains("CMD [\"bun\",\"dist/index.js\"]"),
        "{}",
        g.dockerfile
    );
    let g = generate(Language::Bun, BUN, "1.4.0", BUILD, &[("USE_DHI", "true")]);
    assert!(g.plan.warnings.is_empty() && g.plan.runtime_image == "dhi.io/bun:1.4.0");
}

#[test]
fn entry_points_and_errors() {
    let main = [
        ("package.json", r#"{"main":"src/app.ts"}"#),
        ("src/app.ts", ""),
    ];
    assert_eq!(
        generate(Language::Bun, BUN, "1.3.4", &main, &[])
            .plan
            .start_command
            .command,
        "bun run src/app.ts"
    );
    let none = [("package.json", "{}"), ("bun.lock", "{}")];
    let e = try_generate(Language::Bun, BUN, "1.3.4", &none, &[]).unwrap_err();
    assert!(e.to_string().contains("RUN_COMMAND"), "{e}");
    let bad = [("package.json", "{nope"), ("index.ts", "")];
    let e = try_generate(Language::Bun, BUN, "1.3.4", &bad, &[]).unwrap_err();
    assert!(e.to_string().starts_with("package.json:"), "{e}");
}
