//! Real-looking apps of the failure classes of issue 13, built and run on the engine: a Node.js
//! app without dependencies that writes its own folder, npm and pnpm workspaces, Yarn Berry
//! Plug'n'Play started with Yarn, a static single-page app served by Caddy, a Python app that
//! needs libpq at run time, a Python `__main__.py` package, and a Go `cmd/<name>` app.
//!
//! Each test builds a private copy of its fixture into the local registry, runs the image with
//! `PORT` set and checks what it answers. They need the engine (scripts/test.sh), like the rest
//! of the e2e suite.

use super::harness::{
    build, docker, engine, forget_local, http_get, serves_http, unique, App, Engine,
};
use std::net::TcpListener;
use std::time::{Duration, Instant};

/// Build `fixtures/<fixture>` into the local registry; returns the image reference.
fn build_fixture(e: &Engine, fixture: &str) -> String {
    build_edited(e, fixture, &[], |_| {})
}

/// [`build_fixture`] with extra settings and an edit of the private copy first.
fn build_edited(
    e: &Engine,
    fixture: &str,
    vars: &[(&str, &str)],
    edit: impl FnOnce(&App),
) -> String {
    let tag = unique("apps");
    let image = format!("{}/e2e/{fixture}:{tag}", e.registry);
    let app = App::new(fixture, &tag);
    edit(&app);
    let mut all = vec![("OUTPUT_IMAGE", image.as_str())];
    all.extend_from_slice(vars);
    let b = build(e, &app, &all);
    b.assert_success();
    image
}

/// Run `image` on a free port and answer each of `paths` (status, body) once `/` answers 200.
fn serve_paths(e: &Engine, image: &str, paths: &[&str]) -> Vec<(u16, String)> {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (ok, out) = docker(
        e,
        &[
            "run",
            "-d",
            "--network=host",
            "-e",
            &format!("PORT={port}"),
            image,
        ],
    );
    assert!(ok, "docker run {image}: {out}");
    let id = out.lines().last().unwrap_or_default().trim().to_string();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut up = false;
    while Instant::now() < deadline {
        if matches!(http_get(&format!("127.0.0.1:{port}"), "/"), Ok((200, _))) {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    let answers: Vec<(u16, String)> = if up {
        paths
            .iter()
            .map(|p| http_get(&format!("127.0.0.1:{port}"), p).unwrap_or((0, String::new())))
            .collect()
    } else {
        Vec::new()
    };
    let (_, logs) = docker(e, &["logs", &id]);
    let _ = docker(e, &["rm", "-f", &id]);
    assert!(up, "{image} did not answer on port {port}; log:\n{logs}");
    answers
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn node_app_without_dependencies_writes_its_own_folder() {
    let e = engine();
    let image = build_fixture(&e, "node-zero-deps");
    // Every request appends to data/guestbook.json under /app: a 200 proves the write worked.
    let answers = serve_paths(&e, &image, &["/", "/entries"]);
    assert_eq!(answers[0].0, 200, "{answers:?}");
    assert!(
        answers[0].1.contains("hello from node-zero-deps ("),
        "{answers:?}"
    );
    assert!(answers[1].1.starts_with('['), "{answers:?}");
    forget_local(&e, &[&image]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn npm_workspace_app_serves_with_its_member_package() {
    let e = engine();
    let image = build_fixture(&e, "node-npm-workspaces");
    let body = serves_http(&e, &image);
    assert!(body.contains("hello from node-npm-workspaces"), "{body}");
    assert!(body.contains("built: true"), "{body}");
    forget_local(&e, &[&image]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn pnpm_turborepo_installs_with_the_lockfiles_pnpm() {
    let e = engine();
    // The npm registry this engine reaches serves no package signatures, so Corepack's check
    // is turned off for the builder (docs/engine.md); the pin itself is what is tested.
    let image = build_edited(
        &e,
        "node-pnpm-turborepo",
        &[
            ("BUILD_ENV", "COREPACK_INTEGRITY_KEYS"),
            ("COREPACK_INTEGRITY_KEYS", "0"),
        ],
        |_| {},
    );
    let body = serves_http(&e, &image);
    assert!(
        body.contains("hello from node-pnpm-turborepo (2m)"),
        "{body}"
    );
    forget_local(&e, &[&image]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn yarn_berry_pnp_app_starts_with_its_yarn() {
    let e = engine();
    let image = build_fixture(&e, "node-yarn-berry-pnp");
    let body = serves_http(&e, &image);
    assert!(body.contains("hello from node-yarn-berry-pnp"), "{body}");
    // Started by `yarn start` of the committed release, not by npm.
    assert!(body.contains("yarn/4.5.3"), "{body}");
    forget_local(&e, &[&image]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn vite_spa_is_built_and_served_by_caddy_with_fallback() {
    let e = engine();
    let image = build_fixture(&e, "node-vite-spa");
    let answers = serve_paths(&e, &image, &["/", "/about", "/favicon.svg"]);
    assert_eq!(answers[0].0, 200, "{answers:?}");
    assert!(
        answers[0].1.contains("hello from node-vite-spa"),
        "{answers:?}"
    );
    // The built page references hashed assets, not the source entry.
    assert!(answers[0].1.contains("/assets/"), "{answers:?}");
    assert!(!answers[0].1.contains("/src/main.js"), "{answers:?}");
    // A client-side route gets index.html.
    assert_eq!(answers[1].0, 200, "{answers:?}");
    assert!(
        answers[1].1.contains("hello from node-vite-spa"),
        "{answers:?}"
    );
    assert_eq!(answers[2].0, 200, "{answers:?}");
    assert!(answers[2].1.contains("<svg"), "{answers:?}");
    // Caddy runs as the app user, not root.
    let (ok, out) = docker(&e, &["run", "--rm", "--entrypoint", "id", &image, "-u"]);
    assert!(ok && out.trim() == "1000", "{out}");
    forget_local(&e, &[&image]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn python_app_loads_libpq_at_run_time() {
    let e = engine();
    // The stand-in python:3.11 has no C headers for Python (the official image has them), so
    // psycopg2 cannot be compiled here: the same app uses psycopg 3, which loads libpq at
    // import. The psycopg2 build step itself is covered by the fixture's snapshot.
    let image = build_edited(&e, "python-flask-psycopg2", &[], |app| {
        app.replace("requirements.txt", "psycopg2==2.9.9", "psycopg==3.2.1");
        app.replace(
            "notes/db.py",
            "import psycopg2\nimport psycopg2.extensions\n",
            "import psycopg\n",
        );
        app.replace(
            "notes/db.py",
            "psycopg2.extensions.libpq_version()",
            "psycopg.pq.version()",
        );
        app.replace("notes/db.py", "psycopg2.connect(", "psycopg.connect(");
    });
    let body = serves_http(&e, &image);
    assert!(body.contains("hello from python-flask-psycopg2"), "{body}");
    assert!(body.contains("libpq 1"), "{body}");
    forget_local(&e, &[&image]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn python_main_package_runs_as_a_module() {
    let e = engine();
    let image = build_fixture(&e, "python-main-package");
    let body = serves_http(&e, &image);
    assert!(
        body.contains("hello from python-main-package 0.2.0"),
        "{body}"
    );
    forget_local(&e, &[&image]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn go_cmd_layout_builds_and_starts_the_server_command() {
    let e = engine();
    let image = build_fixture(&e, "go-cmd-layout");
    let body = serves_http(&e, &image);
    assert!(body.contains("hello from go-cmd-layout"), "{body}");
    forget_local(&e, &[&image]);
}
