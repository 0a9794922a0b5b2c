//! Deno provider: snapshots of the generated Dockerfiles and the behaviour they must have.

use crate::support::plan as plan_support;

use migetpacks_core::language::Language;
use migetpacks_core::plan::Phase;
use plan_support::*;

/// Imports in deno.json, a lockfile and a start task.
const IMPORTS: &[(&str, &str)] = &[
    (
        "deno.json",
        r#"{"imports":{"@std/http":"jsr:@std/http@^1"},"tasks":{"start":"deno run --allow-net --allow-env main.ts"}}"#,
    ),
    ("deno.lock", "{\"version\":\"4\"}\n"),
    ("main.ts", "Deno.serve(() => new Response('hi'))\n"),
];

/// deno.jsonc without imports: nothing to install, the entry found by name.
const JSONC: &[(&str, &str)] = &[
    (
        "deno.jsonc",
        "{\n  // formatter settings\n  \"fmt\": { \"lineWidth\": 100, },\n}\n",
    ),
    ("server.ts", "Deno.serve(() => new Response('hi'))\n"),
];

#[test]
fn snapshots() {
    for (name, g) in variants(Language::Deno, None, "2.6.1", IMPORTS, "deno task start") {
        snapshot(&format!("deno_imports__{name}"), &g);
    }
    snapshot(
        "deno_jsonc__default",
        &generate(Language::Deno, None, "2.6.1", JSONC, &[]),
    );
    let cache = [("BUILD_CACHE_DIR", "/c"), ("CACHE_KEY", "edge")];
    snapshot(
        "deno_jsonc__cache",
        &generate(Language::Deno, None, "2.6.1", JSONC, &cache),
    );
}

#[test]
fn install_before_source_then_cache_the_entry() {
    let g = generate(Language::Deno, None, "2.6.1", IMPORTS, &[]);
    assert_order(
        &g.dockerfile,
        &[
            "ENV DENO_DIR=\"/deno-cache\"",
            "COPY deno.json deno.lock ./",
            "RUN deno install --frozen",
            "COPY . .",
            "RUN deno cache --frozen main.ts",
            "COPY --from=builder --chown=1000:1000 /deno-cache /deno-cache",
        ],
    );
    assert_eq!(g.plan.start_command.command, "deno task start");
    let g = generate(Language::Deno, None, "2.6.1", JSONC, &[]);
    assert!(g.plan.phase(Phase::Install).is_empty() && g.plan.phase(Phase::Manifests).is_empty());
    assert!(g.dockerfile.contains("RUN deno cache server.ts"));
    assert_eq!(
        g.plan.start_command.command,
        "deno run --allow-net --allow-read --allow-env server.ts"
    );
}

#[test]
fn cache_mount_work_is_copied_into_the_image() {
    assert!(generate(Language::Deno, None, "2.6.1", IMPORTS, &[])
        .plan
        .cache_mounts
        .is_empty());
    let g = generate(
        Language::Deno,
        None,
        "2.6.1",
        IMPORTS,
        &[("BUILD_CACHE_DIR", "/c"), ("CACHE_KEY", "edge")],
    );
    let d = &g.dockerfile;
    assert_mounts_keyed(d, "edge");
    assert!(
        d.contains("DENO_DIR=/deno-dir deno install --frozen"),
        "{d}"
    );
    // The last Deno step copies the mount's modules to the folder the runtime stage gets.
    assert_order(
        d,
        &[
            "DENO_DIR=/deno-dir deno cache --frozen main.ts",
            "cp -a /deno-dir/. /deno-cache/",
            "# Runtime stage",
        ],
    );
    assert_eq!(d.matches("cp -a").count(), 1);
}

#[test]
fn hardened_images_start_at_denos_arguments() {
    let g = generate(
        Language::Deno,
        None,
        "2.6.1",
        IMPORTS,
        &[("USE_DHI", "true")],
    );
    assert_eq!(
        (g.plan.build_image.as_str(), g.plan.runtime_image.as_str()),
        ("dhi.io/deno:2.6.4-dev", "dhi.io/deno:2.6.4")
    );
    assert!(g
        .plan
        .warnings
        .iter()
        .any(|w| w.contains("2.6.1") && w.contains("2.6.4")));
    assert!(
        g.dockerfile.contains("CMD [\"task\",\"start\"]") && g.dockerfile.contains("USER deno")
    );
    assert!(g.dockerfile.contains("--chown=deno:deno"));
    let g = generate(Language::Deno, None, "2.7.0", JSONC, &[("USE_DHI", "true")]);
    assert!(g.plan.warnings.is_empty());
    assert!(g
        .dockerfile
        .contains("CMD [\"run\",\"--allow-net\",\"--allow-read\",\"--allow-env\",\"server.ts\"]"));
}

#[test]
fn start_task_entry_and_errors() {
    let files = [
        (
            "deno.json",
            r#"{"tasks":{"start":{"command":"deno serve -A src/app.ts"}}}"#,
        ),
        ("src/app.ts", ""),
    ];
    let g = generate(Language::Deno, None, "2.6.1", &files, &[]);
    assert!(g.dockerfile.contains("RUN deno cache src/app.ts"));
    assert_eq!(g.plan.start_command.command, "deno task start");
    let e = try_generate(
        Language::Deno,
        None,
        "2.6.1",
        &[("deno.json", "{\"tasks\": ")],
        &[],
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("deno.json:"), "{e}");
    let e = try_generate(Language::Deno, None, "2.6.1", &[("deno.lock", "{}")], &[]).unwrap_err();
    assert!(e.to_string().contains("RUN_COMMAND"), "{e}");
}

#[test]
fn source_is_the_last_layer_unless_the_builder_writes_next_to_it() {
    let d = generate(Language::Deno, None, "2.6.1", IMPORTS, &[]).dockerfile;
    let last_copy = d.lines().rev().find(|l| l.starts_with("COPY")).unwrap();
    assert_eq!(last_copy, "COPY --chown=1000:1000 . /app");
    let mut npm = IMPORTS.to_vec();
    npm.push(("package.json", r#"{"dependencies":{"express":"4"}}"#));
    for (files, env) in [
        (&npm[..], &[][..]),
        (IMPORTS, &[("BUILD_COMMAND", "deno task build")][..]),
    ] {
        let d = generate(Language::Deno, None, "2.6.1", files, env).dockerfile;
        let last_copy = d.lines().rev().find(|l| l.starts_with("COPY")).unwrap();
        assert_eq!(
            last_copy, "COPY --from=builder --chown=1000:1000 /build /app",
            "{d}"
        );
    }
}
