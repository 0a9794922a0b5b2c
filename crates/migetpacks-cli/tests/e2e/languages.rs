//! One build-and-run test per language and package manager on the engine's stand-in images
//! (docs/engine.md lists them): each builds a small real-looking app with `migetpacks build`
//! (registry push and cache export), runs the image and checks its HTTP answer. They run one at
//! a time and share the seeded base images' layers.

use super::harness::{
    build, docker, engine, forget_local, registry_tags, serves_http, unique, App,
};
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

// Ruby, PHP, Elixir and Java (Maven) on their Debian-built stand-ins (docs/engine.md, "Ruby,
// PHP, Elixir and Java stand-ins").

/// Build `fixture`, check the detected language, the tool's own output of the dependency or
/// build step, the pushed image and its exported cache, then run it and check the page.
///
/// `unique_in` gets a comment line naming this run appended (`comment` is the language's
/// comment marker): the file feeds the step that prints `step_output`, so that step cannot
/// come from the local build cache of an earlier build of the same fixture.
fn builds_and_serves_printing(
    fixture: &str,
    language: &str,
    (unique_in, comment): (&str, &str),
    step_output: &str,
    says: &str,
) {
    let e = engine();
    let r = refs(&e, fixture, "serve");
    let (repo, tag, image, cache) = (&r.repo, &r.tag, &r.image, &r.cache);
    let app = App::new(fixture, tag);
    app.append(unique_in, &format!("\n{comment} e2e {tag}\n"));
    let b = build(
        &e,
        &app,
        &[
            ("OUTPUT_IMAGE", image.as_str()),
            ("CACHE_IMAGE", cache.as_str()),
            ("CACHE_MODE", "max"),
        ],
    );
    b.assert_success();
    assert_eq!(b.result.as_ref().unwrap()["language"], language);
    assert!(b.printed(step_output), "{}", b.log());
    assert!(registry_tags(&e, repo).unwrap().contains(tag));
    let cache_tags = registry_tags(&e, &format!("{repo}-cache")).unwrap_or_default();
    assert!(
        cache_tags.contains(tag),
        "no cache exported: {cache_tags:?}"
    );
    let body = serves_http(&e, image);
    assert!(body.contains(says), "{body}");
    forget_local(&e, &[image]);
}

/// Sinatra on Puma; Bundler installs the locked gems (Debian's, see the ruby stand-in).
#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn ruby_sinatra_builds_and_serves() {
    builds_and_serves_printing(
        "ruby-sinatra",
        "ruby",
        ("Gemfile", "#"),
        "Bundle complete! 3 Gemfile dependencies, 9 gems now installed.",
        "hello from ruby-sinatra (Sinatra 3.0.5 on Rack 2.2.22)",
    );
}

/// A Composer-autoloaded front controller served by `frankenphp php-server`.
#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn php_composer_app_builds_and_serves() {
    builds_and_serves_printing(
        "php-composer-app",
        "php",
        ("public/index.php", "//"),
        "Generating optimized autoload files",
        "hello from php-composer-app (PHP 8.2)",
    );
}

/// A Mix release (config/runtime.exs reads PORT) on OTP's :gen_tcp, no Hex packages.
#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn elixir_release_builds_and_serves() {
    builds_and_serves_printing(
        "elixir-release",
        "elixir",
        ("lib/hello_web/router.ex", "#"),
        "Release created at _build/prod/rel/hello_web",
        "hello from elixir-release",
    );
}

/// Maven packages a jar with the JDK's HTTP server, offline against Debian's Maven repo.
#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn java_maven_builds_and_serves() {
    builds_and_serves_printing(
        "java-maven-httpserver",
        "java",
        ("src/main/java/com/example/hello/Application.java", "//"),
        "BUILD SUCCESS",
        "hello from java-maven-httpserver (Java 17)",
    );
}
