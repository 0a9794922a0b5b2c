//! One build-and-run test per language whose toolchain the engine's stand-in images bring from
//! Debian packages: Ruby, PHP, Elixir and Java with Maven (docs/engine.md, "Ruby, PHP, Elixir
//! and Java stand-ins"). Each builds a real-looking fixture with `migetpacks build` (registry
//! push and registry cache export), runs the image with `PORT` set and checks its answer.

use crate::harness::{build, engine, forget_local, registry_tags, serves_http, unique, App};

/// Build `fixture`, check the detected language, the tool's own output of the dependency or
/// build step, the pushed image and its exported cache, then run it and check the page.
///
/// `unique_in` gets a comment line naming this run appended (`comment` is the language's
/// comment marker): the file feeds the step that prints `step_output`, so that step cannot
/// come from the local build cache of an earlier build of the same fixture.
fn builds_and_serves(
    fixture: &str,
    language: &str,
    (unique_in, comment): (&str, &str),
    step_output: &str,
    says: &str,
) {
    let e = engine();
    let tag = unique("serve");
    let repo = format!("e2e/{fixture}");
    let image = format!("{}/{repo}:{tag}", e.registry);
    let cache = format!("{}/{repo}-cache:{tag}", e.registry);
    let app = App::new(fixture, &tag);
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
    assert!(registry_tags(&e, &repo).unwrap().contains(&tag));
    let cache_tags = registry_tags(&e, &format!("{repo}-cache")).unwrap_or_default();
    assert!(
        cache_tags.contains(&tag),
        "no cache exported: {cache_tags:?}"
    );
    let body = serves_http(&e, &image);
    assert!(body.contains(says), "{body}");
    forget_local(&e, &[&image]);
}

/// Sinatra on Puma; Bundler installs the locked gems (Debian's, see the ruby stand-in).
#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn ruby_sinatra_builds_and_serves() {
    builds_and_serves(
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
    builds_and_serves(
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
    builds_and_serves(
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
    builds_and_serves(
        "java-maven-httpserver",
        "java",
        ("src/main/java/com/example/hello/Application.java", "//"),
        "BUILD SUCCESS",
        "hello from java-maven-httpserver (Java 17)",
    );
}
