//! Rust provider: snapshots of the generated Dockerfiles and the behaviour they must have.

use crate::support::plan as plan_support;

use migetpacks_core::language::Language;
use migetpacks_core::plan::{Instruction, Phase};
use plan_support::*;

const EXAMPLE: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        "[package]\nname = \"rust-example\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nserde = \"1\"\n",
    ),
    ("Cargo.lock", "version = 4\n"),
    ("rust-toolchain", "1.92.0\n"),
    ("src/main.rs", "fn main() {}\n"),
    ("static/app.css", "body {}\n"),
];

/// A virtual workspace: a binary member, a library member with a custom path, a path
/// dependency outside `members`, and a declared bench.
const WORKSPACE: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/scratch\"]\nresolver = \"2\"\n\n[workspace.dependencies]\nshared = { path = \"libs/shared\" }\n",
    ),
    ("Cargo.lock", "version = 4\n"),
    (
        "crates/server/Cargo.toml",
        "[package]\nname = \"server\"\nversion = \"0.1.0\"\n\n[[bin]]\nname = \"api-server\"\npath = \"src/main.rs\"\n\n[[bench]]\nname = \"load\"\nharness = false\n\n[dependencies]\ncore-lib = { path = \"../core\" }\n",
    ),
    ("crates/server/src/main.rs", "fn main() {}\n"),
    ("crates/server/benches/load.rs", "fn main() {}\n"),
    ("crates/core/Cargo.toml", "[package]\nname = \"core-lib\"\nversion = \"0.1.0\"\n\n[lib]\npath = \"lib.rs\"\n"),
    ("crates/core/lib.rs", "\n"),
    ("crates/scratch/Cargo.toml", "not toml at all ["),
    ("libs/shared/Cargo.toml", "[package]\nname = \"shared\"\nversion = \"0.1.0\"\n"),
    ("libs/shared/src/lib.rs", "\n"),
    ("templates/index.html", "<h1>hi</h1>\n"),
];

#[test]
fn snapshots() {
    let web = "RUST_LOG=debug ./target/release/rust-example --port $PORT";
    for (name, g) in variants(Language::Rust, None, "1.92.0", EXAMPLE, web) {
        snapshot(&format!("rust_example__{name}"), &g);
    }
    snapshot(
        "rust_workspace__default",
        &generate(Language::Rust, None, "1.92.0", WORKSPACE, &[]),
    );
    let cache = [("BUILD_CACHE_DIR", "/c"), ("CACHE_KEY", "ws")];
    snapshot(
        "rust_workspace__cache",
        &generate(Language::Rust, None, "1.92.0", WORKSPACE, &cache),
    );
}

#[test]
fn dependency_layer_exists_without_cache_mounts() {
    // D.35: the pre-build runs with or without BUILD_CACHE_DIR, before the source copy.
    for env in [&[][..], &[("BUILD_CACHE_DIR", "/c")][..]] {
        let g = generate(Language::Rust, None, "1.92.0", EXAMPLE, env);
        let d = &g.dockerfile;
        assert_order(
            d,
            &[
                "COPY Cargo.toml Cargo.lock rust-toolchain ./",
                "echo 'fn main() {}' > src/main.rs",
                "cargo build --release --locked",
                "rm src/main.rs",
                "COPY . .",
                "cp target/release/rust-example /out/",
            ],
        );
        assert_eq!(g.plan.phase(Phase::Install).len(), 1, "{d}");
        // Only the package's own artefacts are forgotten; the target folder stays.
        assert!(d.contains(
            "rm -rf target/release/.fingerprint/rust-example-* target/release/deps/rust_example-*"
        ));
        assert!(
            !d.contains("rm -rf target ") && !d.contains("rm -rf target\n"),
            "{d}"
        );
    }
}

#[test]
fn cache_mounts_only_with_build_cache_dir_and_target_copied_out() {
    let plain = generate(Language::Rust, None, "1.92.0", EXAMPLE, &[]);
    assert!(plain.plan.cache_mounts.is_empty() && !plain.dockerfile.contains("--mount"));
    let g = generate(
        Language::Rust,
        None,
        "1.92.0",
        EXAMPLE,
        &[("BUILD_CACHE_DIR", "/c"), ("CACHE_KEY", "k")],
    );
    assert_mounts_keyed(&g.dockerfile, "k");
    let ids: Vec<&str> = g.plan.cache_mounts.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["k-cargo", "k-cargo-git", "k-rustbuild"]);
    // target/ is a mount: the binary leaves it in the same RUN.
    let build = g.plan.phase(Phase::Build);
    let Instruction::Run {
        commands, mounts, ..
    } = &build[0].instruction
    else {
        panic!("build is a RUN")
    };
    assert!(mounts.iter().any(|m| m.target == "/build/target"));
    assert_eq!(
        commands.last().unwrap(),
        "cp target/release/rust-example /out/"
    );
    assert!(g.dockerfile.contains("COPY --from=builder /out/ /app/"));
}

#[test]
fn start_command_translation() {
    let mut files = EXAMPLE.to_vec();
    files.push((
        "Procfile",
        "web: RUST_LOG=debug ./target/release/rust-example --port $PORT\n",
    ));
    let g = generate(Language::Rust, None, "1.92.0", &files, &[]);
    assert_eq!(
        g.plan.start_command.command,
        "RUST_LOG=debug ./rust-example --port $PORT"
    );
    let g = generate(
        Language::Rust,
        None,
        "1.92.0",
        &files,
        &[("USE_DHI", "true")],
    );
    assert!(
        g.dockerfile
            .contains("ENTRYPOINT [\"./rust-example\",\"--port\",\"5000\"]"),
        "{}",
        g.dockerfile
    );
    assert!(g.dockerfile.contains("RUST_LOG=\"debug\""));
    for (cmd, want) in [
        ("target/release/rust-example", "./rust-example"),
        ("rust-example", "./rust-example"),
        ("bin/start", "./bin/start"),
        ("/usr/local/bin/x", "/usr/local/bin/x"),
        (
            "sh -c 'target/release/rust-example'",
            "sh -c 'target/release/rust-example'",
        ),
    ] {
        let g = generate(
            Language::Rust,
            None,
            "1.92.0",
            EXAMPLE,
            &[("RUN_COMMAND", cmd)],
        );
        assert_eq!(g.plan.start_command.command, want, "{cmd}");
    }
    assert_eq!(
        generate(Language::Rust, None, "1.92.0", EXAMPLE, &[])
            .plan
            .start_command
            .command,
        "./rust-example"
    );
}

#[test]
fn workspace_members_keep_their_paths() {
    let g = generate(Language::Rust, None, "1.92.0", WORKSPACE, &[]);
    let d = &g.dockerfile;
    for m in [
        "crates/core/Cargo.toml",
        "crates/server/Cargo.toml",
        "libs/shared/Cargo.toml",
    ] {
        assert!(d.contains(&format!("COPY {m} {m}\n")), "{m}:\n{d}");
    }
    // The excluded member is neither read nor copied.
    assert!(!d.contains("scratch"));
    assert!(d.contains("echo 'fn main() {}' > crates/server/benches/load.rs"));
    assert!(d.contains("touch crates/core/lib.rs libs/shared/src/lib.rs"));
    assert_eq!(g.plan.start_command.command, "./api-server");
    assert_order(
        d,
        &[
            "COPY crates/server/Cargo.toml",
            "cargo build --release --locked",
            "COPY . .",
        ],
    );
}

#[test]
fn locked_only_with_a_lockfile() {
    let files = [
        ("Cargo.toml", "[package]\nname = \"hello\"\n"),
        ("src/main.rs", ""),
    ];
    let g = generate(Language::Rust, None, "1.92.0", &files, &[]);
    assert!(
        g.dockerfile.contains("cargo build --release \\") && !g.dockerfile.contains("--locked")
    );
    assert!(g.dockerfile.contains("COPY Cargo.toml ./\n"));
}

#[test]
fn unexpandable_members_skip_the_prebuild_with_a_note() {
    let files = [
        (
            "Cargo.toml",
            "[workspace]\nmembers = [\"crates/*/sub\"]\n[package]\nname = \"app\"\n",
        ),
        ("src/main.rs", ""),
    ];
    let g = generate(Language::Rust, None, "1.92.0", &files, &[]);
    assert!(g.plan.phase(Phase::Install).is_empty());
    assert!(
        g.plan.notes.iter().any(|n| n.contains("crates/*/sub")),
        "{:?}",
        g.plan.notes
    );
}

#[test]
fn runtime_is_slim_debian_with_ca_certificates() {
    let g = generate(Language::Rust, None, "1.92.0", EXAMPLE, &[]);
    assert_eq!(g.plan.build_image, "rust:1.92.0-bookworm");
    assert_eq!(g.plan.runtime_image, "debian:bookworm-slim");
    assert_order(
        &g.dockerfile,
        &[
            "FROM debian:bookworm-slim",
            "COPY --from=builder /etc/ssl/certs/ca-certificates.crt",
            "COPY --from=builder /out/ /app/",
            "COPY --chown=1000:1000 static /app/static",
        ],
    );
    let g = generate(
        Language::Rust,
        None,
        "1.92.0",
        EXAMPLE,
        &[("USE_DHI", "true")],
    );
    assert_eq!(
        (g.plan.build_image.as_str(), g.plan.runtime_image.as_str()),
        ("dhi.io/rust:1.92.0-dev", "dhi.io/rust:1.92.0")
    );
    assert!(!g.dockerfile.contains("apt-get"));
}

#[test]
fn manifest_errors_name_the_file() {
    let e = try_generate(
        Language::Rust,
        None,
        "1.92.0",
        &[("Cargo.toml", "[package\nname=")],
        &[],
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("Cargo.toml:"), "{e}");
    let files = [
        ("Cargo.toml", "[workspace]\nmembers = [\"a\"]\n"),
        ("a/Cargo.toml", "[package]\nname = 3\n"),
    ];
    let e = try_generate(Language::Rust, None, "1.92.0", &files, &[]).unwrap_err();
    assert!(e.to_string().starts_with("a/Cargo.toml:"), "{e}");
    let e = try_generate(Language::Rust, None, "1.92.0", &[("Cargo.lock", "")], &[]).unwrap_err();
    assert!(e.to_string().starts_with("Cargo.toml:"), "{e}");
    let lib_only = [
        ("Cargo.toml", "[package]\nname = \"lib\"\n"),
        ("src/lib.rs", ""),
    ];
    let e = try_generate(Language::Rust, None, "1.92.0", &lib_only, &[]).unwrap_err();
    assert!(e.to_string().contains("no binary target"), "{e}");
    let evil = [
        ("Cargo.toml", "[package]\nname = \"a;rm -rf /\"\n"),
        ("src/main.rs", ""),
    ];
    assert!(try_generate(Language::Rust, None, "1.92.0", &evil, &[]).is_err());
}

#[test]
fn placeholders_follow_the_package_shape() {
    let files = [
        (
            "Cargo.toml",
            "[package]\nname = \"sys\"\nlinks = \"z\"\nautobins = false\n\n[[bin]]\nname = \"tool\"\n\n[[example]]\nname = \"demo\"\n",
        ),
        ("build.rs", "fn main() {}\n"),
        ("src/main.rs", "fn main() {}\n"),
        ("src/bin/tool.rs", "fn main() {}\n"),
        ("src/bin/extra.rs", "fn main() {}\n"),
        ("examples/demo.rs", "fn main() {}\n"),
    ];
    let g = generate(Language::Rust, None, "1.92.0", &files, &[]);
    let d = &g.dockerfile;
    for placeholder in ["src/bin/tool.rs", "examples/demo.rs", "build.rs"] {
        assert!(
            d.contains(&format!("echo 'fn main() {{}}' > {placeholder}")),
            "{placeholder}:\n{d}"
        );
    }
    // autobins = false: neither src/main.rs nor src/bin/extra.rs is a target.
    assert!(!d.contains("> src/main.rs") && !d.contains("extra"), "{d}");
    assert_eq!(g.plan.start_command.command, "./tool");
}

/// rustup's `stable` channel: `rust:bookworm` (the runtime's Debian); Docker Hardened Images
/// have no `stable` tag, so the default release with a warning (docs/detection.md).
#[test]
fn stable_channel_images() {
    let g = generate(Language::Rust, None, "stable", EXAMPLE, &[]);
    assert_eq!(g.plan.build_image, "rust:bookworm");
    assert!(g.plan.warnings.is_empty(), "{:?}", g.plan.warnings);
    let g = generate(
        Language::Rust,
        None,
        "stable",
        EXAMPLE,
        &[("USE_DHI", "true")],
    );
    let default = migetpacks_core::version::default_version(Language::Rust);
    assert_eq!(g.plan.build_image, format!("dhi.io/rust:{default}-dev"));
    assert!(
        g.plan
            .warnings
            .iter()
            .any(|w| w.contains("no `stable` tag")),
        "{:?}",
        g.plan.warnings
    );
}
