//! One build-and-run test per language and package manager on the engine's stand-in images
//! (docs/engine.md lists them): each builds a small real-looking app with `migetpacks build`
//! (registry push and cache export), runs the image and checks its HTTP answer. They run one at
//! a time and share the seeded base images' layers.

use super::harness::{build, docker, engine, forget_local, serves_http, unique, App};
use super::refs;

/// Build `fixture` with a fresh registry cache, check the detected language and the first
/// build's cache message, run the image and check that its answer to `GET /` contains `says`.
fn builds_and_serves(fixture: &str, language: &str, says: &str) {
    let e = engine();
    let r = refs(&e, fixture, "serve");
    let app = App::new(fixture, &r.tag);
    let b = build(
        &e,
        &app,
        &[
            ("OUTPUT_IMAGE", r.image.as_str()),
            ("CACHE_IMAGE", r.cache.as_str()),
            ("CACHE_MODE", "max"),
        ],
    );
    b.assert_success();
    assert_eq!(b.result.as_ref().unwrap()["language"], language);
    // A cache ref nobody wrote yet: the tool's own words, not BuildKit's ERROR line (a retried
    // build finds what its first attempt exported).
    assert!(
        b.retried || b.printed("no cache yet (first build)"),
        "{}",
        b.log()
    );
    assert!(
        !b.printed("failed to configure registry cache importer"),
        "{}",
        b.log()
    );
    assert!(b.printed("exporting cache to registry"), "{}", b.log());
    let body = serves_http(&e, &r.image);
    assert!(body.contains(says), "{body}");
    forget_local(&e, &[&r.image]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn bun_hono_builds_and_serves() {
    builds_and_serves("bun-hono", "bun", "hello from bun-hono (bun 1.3.4)");
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn deno_hono_builds_and_serves() {
    builds_and_serves("deno-hono", "deno", "hello from deno-hono (deno 2.6.1)");
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn rust_crates_io_app_builds_and_serves() {
    builds_and_serves(
        "rust-tiny-http",
        "rust",
        "hello from rust-tiny-http (2 items)",
    );
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn node_pnpm_express_builds_and_serves() {
    builds_and_serves(
        "node-pnpm-express",
        "nodejs",
        "hello from node-pnpm-express (node v20.20.2)",
    );
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn node_yarn_fastify_builds_and_serves() {
    builds_and_serves(
        "node-yarn-fastify",
        "nodejs",
        "hello from node-yarn-fastify (node v22.16.0)",
    );
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn python_uv_flask_builds_and_serves() {
    builds_and_serves(
        "python-uv-flask",
        "python",
        "hello from python-uv-flask (python 3.11",
    );
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn python_poetry_fastapi_builds_and_serves() {
    builds_and_serves(
        "python-poetry-fastapi",
        "python",
        "hello from python-poetry-fastapi (python 3.11",
    );
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn python_pipenv_falcon_builds_and_serves() {
    builds_and_serves(
        "python-pipenv-falcon",
        "python",
        "hello from python-pipenv-falcon (python 3.11",
    );
}

/// `BUILD_SECRETS` on the engine's built-in Dockerfile frontend: the install step sees the
/// secret (its `postinstall` script writes the value's SHA-256 into `node_modules`), and the
/// value is in no layer, no image setting and no log line.
#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn build_secret_reaches_the_install_and_nothing_else() {
    let e = engine();
    let r = refs(&e, "node", "secret");
    let app = App::new("node-npm", &r.tag);
    app.replace(
        "package.json",
        "\"scripts\": {",
        r#""scripts": {
    "postinstall": "node -e \"require('fs').writeFileSync('node_modules/.token-sha256', require('crypto').createHash('sha256').update(process.env.NPM_TOKEN || 'unset').digest('hex'))\"","#,
    );
    let secret = unique("e2e-secret-value");
    let b = build(
        &e,
        &app,
        &[
            ("OUTPUT_IMAGE", r.image.as_str()),
            ("BUILD_SECRETS", "NPM_TOKEN"),
            ("NPM_TOKEN", secret.as_str()),
        ],
    );
    b.assert_success();
    assert!(!b.stdout.contains(&secret) && !b.stderr.contains(&secret));

    let (ok, seen) = docker(
        &e,
        &[
            "run",
            "--rm",
            &r.image,
            "cat",
            "/app/node_modules/.token-sha256",
        ],
    );
    assert!(ok, "{seen}");
    assert_eq!(
        seen.trim(),
        sha256_hex(&secret),
        "the install did not see the secret"
    );

    let (ok, env) = docker(&e, &["run", "--rm", &r.image, "env"]);
    assert!(
        ok && !env.contains(&secret) && !env.contains("NPM_TOKEN"),
        "{env}"
    );
    for what in [
        vec!["image", "inspect", r.image.as_str()],
        vec!["history", "--no-trunc", r.image.as_str()],
    ] {
        let (ok, out) = docker(&e, &what);
        assert!(ok && !out.contains(&secret), "{what:?}: {out}");
    }
    // Every file of the image (grep -l prints the files that hold it).
    let (_, out) = docker(
        &e,
        &[
            "run",
            "--rm",
            "--user",
            "0",
            &r.image,
            "grep",
            "-rlsF",
            "--exclude-dir=proc",
            "--exclude-dir=sys",
            "--exclude-dir=dev",
            &secret,
            "/",
        ],
    );
    assert!(out.trim().is_empty(), "the secret is in the image: {out}");
    forget_local(&e, &[&r.image]);
}

fn sha256_hex(text: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha256sum");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}
