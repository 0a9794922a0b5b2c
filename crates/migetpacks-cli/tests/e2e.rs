//! End-to-end tests: the real `migetpacks` binary against the local BuildKit engine and
//! registry of `scripts/engine.sh` (docs/engine.md).
//!
//! Every test is `#[ignore]`d: `scripts/test.sh` starts the engine, sources its env file and
//! runs them one at a time with `--ignored --test-threads=1`. Each test builds a private copy
//! of a fixture (made unique per run, see `harness::App::new`), pushes to the local registry
//! under its own tag and cache ref, and checks that the source folder is unchanged.
//!
//! Cache tests "forget" between builds (`docker buildx prune -af` and removing the built
//! image), so only the registry cache can make a step `CACHED`. Whether a step ran is read
//! from BuildKit's plain progress: its own output (`Collecting …` from pip, `added 1 package`
//! from npm, `> node build.js` from the build script) and the `#N CACHED` lines. That an install
//! was reused is asserted only by its own output being absent: a registry-cache hit may be
//! reported as `DONE 0.1s` instead of `CACHED`.

#[path = "e2e/apps.rs"]
mod apps;
#[path = "e2e/harness.rs"]
mod harness;
#[path = "e2e/languages.rs"]
mod languages;

use harness::{
    build, build_in, docker, engine, forget_local, registry_tags, serves_http, unique, App, Engine,
};

/// pip's install output; absent when the install layer was reused.
const PIP_INSTALL: &str = "Collecting six==";
const PIP_STEP: &str = "RUN pip install --no-cache-dir -r requirements.txt";
const PY_SOURCE_STEP: &str = "COPY --chown=1000:1000 . /app";
/// npm's install output; absent when the install layer was reused.
const NPM_INSTALL: &str = "added 1 package";
const NPM_STEP: &str = "npm ci";
/// The node-npm fixture's build script as npm announces it.
const NODE_BUILD: &str = "> node build.js";

/// Image and cache references of one test, all in the local registry.
struct Refs {
    repo: String,
    tag: String,
    image: String,
    cache: String,
}

fn refs(e: &Engine, app: &str, test: &str) -> Refs {
    let repo = format!("e2e/{app}");
    let tag = unique(test);
    Refs {
        image: format!("{}/{repo}:{tag}", e.registry),
        cache: format!("{}/{repo}-cache:{tag}", e.registry),
        repo,
        tag,
    }
}

/// A change to the application source only.
fn touch_source(app: &App, file: &str) {
    app.append(file, "\n// e2e source-only change\n");
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn python_builds_serves_and_follows_the_cache_table() {
    let e = engine();
    let r = refs(&e, "python", "table-max");
    let app = App::new("python-pip", &r.tag);
    let vars = [
        ("OUTPUT_IMAGE", r.image.as_str()),
        ("CACHE_IMAGE", r.cache.as_str()),
        ("CACHE_MODE", "max"),
    ];

    forget_local(&e, &[]);
    let first = build(&e, &app, &vars);
    first.assert_success();
    assert_eq!(first.result.as_ref().unwrap()["language"], "python");
    assert!(first.printed(PIP_INSTALL), "{}", first.log());
    first.assert_ran(PIP_STEP);
    let body = serves_http(&e, &r.image);
    assert!(body.contains("hello from python-pip"), "{body}");
    assert!(registry_tags(&e, &r.repo).unwrap().contains(&r.tag));

    forget_local(&e, &[&r.image]);
    app.append("app.py", "\n# e2e source-only change\n");
    let source_only = build(&e, &app, &vars);
    source_only.assert_success();
    assert!(!source_only.printed(PIP_INSTALL), "{}", source_only.log());
    source_only.assert_ran(PY_SOURCE_STEP);

    forget_local(&e, &[&r.image]);
    let unchanged = build(&e, &app, &vars);
    unchanged.assert_success();
    assert!(!unchanged.printed(PIP_INSTALL), "{}", unchanged.log());
    unchanged.assert_reused(PY_SOURCE_STEP);

    forget_local(&e, &[&r.image]);
    app.replace("requirements.txt", "six==1.16.0", "six==1.17.0");
    let lockfile = build(&e, &app, &vars);
    lockfile.assert_success();
    assert!(
        lockfile.printed("Collecting six==1.17.0"),
        "{}",
        lockfile.log()
    );
    lockfile.assert_ran(PIP_STEP);
    forget_local(&e, &[&r.image]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn node_builds_serves_and_follows_the_cache_table() {
    let e = engine();
    let r = refs(&e, "node", "table-max");
    let app = App::new("node-npm", &r.tag);
    let vars = [
        ("OUTPUT_IMAGE", r.image.as_str()),
        ("CACHE_IMAGE", r.cache.as_str()),
        ("CACHE_MODE", "max"),
    ];

    forget_local(&e, &[]);
    let first = build(&e, &app, &vars);
    first.assert_success();
    assert_eq!(first.result.as_ref().unwrap()["language"], "nodejs");
    assert!(first.printed(NPM_INSTALL), "{}", first.log());
    assert!(first.printed(NODE_BUILD), "{}", first.log());
    let body = serves_http(&e, &r.image);
    // "built": the build script's output file made it into the runtime image.
    assert!(body.contains("hello from node-npm (built, 1m)"), "{body}");

    forget_local(&e, &[&r.image]);
    touch_source(&app, "index.js");
    let source_only = build(&e, &app, &vars);
    source_only.assert_success();
    assert!(!source_only.printed(NPM_INSTALL), "{}", source_only.log());
    assert!(source_only.printed(NODE_BUILD), "{}", source_only.log());

    forget_local(&e, &[&r.image]);
    let unchanged = build(&e, &app, &vars);
    unchanged.assert_success();
    assert!(!unchanged.printed(NPM_INSTALL), "{}", unchanged.log());
    assert!(!unchanged.printed(NODE_BUILD), "{}", unchanged.log());

    forget_local(&e, &[&r.image]);
    bump_node_lockfile(&app, "1.0.1");
    let lockfile = build(&e, &app, &vars);
    lockfile.assert_success();
    assert!(lockfile.printed(NPM_INSTALL), "{}", lockfile.log());
    assert!(lockfile.printed(NODE_BUILD), "{}", lockfile.log());
    forget_local(&e, &[&r.image]);
}

/// A lockfile change that needs no new download: the app's own version, in package.json and
/// both places of package-lock.json.
fn bump_node_lockfile(app: &App, to: &str) {
    let from = "\"version\": \"1.0.0\"";
    let to = format!("\"version\": \"{to}\"");
    app.replace("package.json", from, &to);
    app.replace("package-lock.json", from, &to);
    app.replace("package-lock.json", from, &to);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn go_builds_and_serves() {
    let e = engine();
    let r = refs(&e, "go", "serve");
    let app = App::new("go-mod", &r.tag);
    // A developer's shell: gettext's LANGUAGE and the `debug` package's DEBUG are set. Neither
    // stops the build; each is named in a note (docs/configuration.md).
    let b = build(
        &e,
        &app,
        &[
            ("OUTPUT_IMAGE", r.image.as_str()),
            ("LANGUAGE", "en_US:en"),
            ("DEBUG", "express:*"),
        ],
    );
    b.assert_success();
    assert_eq!(b.result.as_ref().unwrap()["language"], "go");
    for note in [
        "LANGUAGE=\"en_US:en\" looks like a locale",
        "DEBUG=\"express:*\" is not a boolean",
    ] {
        assert!(b.printed(note), "{}", b.log());
    }
    let body = serves_http(&e, &r.image);
    assert!(body.contains("hello from go-mod"), "{body}");
    forget_local(&e, &[&r.image]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn user_dockerfile_builds_and_pushes() {
    let e = engine();
    let r = refs(&e, "dockerfile", "push");
    let app = App::new("dockerfile", &r.tag);
    let b = build(&e, &app, &[("OUTPUT_IMAGE", r.image.as_str())]);
    let digest = b.assert_success();
    assert_eq!(b.result.as_ref().unwrap()["language"], "dockerfile");
    assert!(registry_tags(&e, &r.repo).unwrap().contains(&r.tag));
    let by_digest = format!("{}/{}@{digest}", e.registry, r.repo);
    let (ok, out) = docker(&e, &["run", "--rm", &by_digest]);
    assert!(ok && out.contains("built"), "{out}");
    forget_local(&e, &[&r.image, &by_digest]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn compose_builds_and_pushes_both_services() {
    let e = engine();
    let r = refs(&e, "compose", "push");
    let app = App::new("compose", &r.tag);
    let b = build(&e, &app, &[("OUTPUT_IMAGE", r.image.as_str())]);
    assert_eq!(b.code, Some(0), "{}", b.log());
    let res = b.result.as_ref().unwrap();
    assert_eq!(res["status"], "success", "{res:#}");
    assert_eq!(res["language"], "compose");
    let images = res["images"].as_array().unwrap();
    assert_eq!(images.len(), 2, "{res:#}");
    for (img, service, says) in [
        (&images[0], "api", "api"),
        (&images[1], "web", "hello from web"),
    ] {
        let name = format!("{}/{}-{service}:{}", e.registry, r.repo, r.tag);
        assert_eq!(img["name"], name.as_str());
        assert!(img["digest"].as_str().unwrap().starts_with("sha256:"));
        let tags = registry_tags(&e, &format!("{}-{service}", r.repo)).unwrap();
        assert!(tags.contains(&r.tag), "{tags:?}");
        let (ok, out) = docker(&e, &["run", "--rm", &name]);
        assert!(ok && out.contains(says), "{service}: {out}");
        forget_local(&e, &[&name]);
    }
}

/// `CACHE_MODE=min` exports only the final image's layers. What a source-only change then
/// re-runs depends on the Dockerfile's shape (observed on buildx 0.13.1 / dockerd 26.1):
/// - node-npm: the builder copies the source (`COPY . .`) before its build step, so the
///   runtime stage's `COPY --from=builder` changes; the builder's `npm ci` layer is not in a
///   min cache and runs again — the documented trade-off.
/// - python-pip: the source goes straight into the runtime stage; the runtime stage's venv
///   layer (`COPY --from=builder /opt/venv`) is a final-image layer, so it comes from the min
///   cache and the builder's `pip install` is not run at all.
#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn min_mode_source_only_change() {
    let e = engine();
    for (fixture, lang, source, install_out, install_step) in [
        ("node-npm", "node", "index.js", NPM_INSTALL, NPM_STEP),
        ("python-pip", "python", "app.py", PIP_INSTALL, PIP_STEP),
    ] {
        let r = refs(&e, lang, "min");
        let app = App::new(fixture, &r.tag);
        let vars = [
            ("OUTPUT_IMAGE", r.image.as_str()),
            ("CACHE_IMAGE", r.cache.as_str()),
            ("CACHE_MODE", "min"),
        ];
        forget_local(&e, &[]);
        let first = build(&e, &app, &vars);
        first.assert_success();
        assert!(first.printed(install_out), "{}", first.log());
        // The build log says what min costs, where it costs the install.
        let note = "CACHE_MODE=min exports only the final stage's layers";
        assert_eq!(
            first.printed(note) || first.stderr.contains(note),
            lang == "node",
            "{}",
            first.log()
        );

        forget_local(&e, &[&r.image]);
        touch_source(&app, source);
        let warm = build(&e, &app, &vars);
        warm.assert_success();
        if lang == "node" {
            assert!(warm.printed(install_out), "{}", warm.log());
            warm.assert_ran(install_step);
            assert!(warm.printed(NODE_BUILD), "{}", warm.log());
        } else {
            assert!(!warm.printed(install_out), "{}", warm.log());
            warm.assert_ran(PY_SOURCE_STEP);
        }
        forget_local(&e, &[&r.image]);
    }
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn cache_from_imports_the_first_cache_and_exports_to_the_new_ref() {
    let e = engine();
    let r = refs(&e, "python", "cache-from");
    let app = App::new("python-pip", &r.tag);
    forget_local(&e, &[]);
    let first = build(
        &e,
        &app,
        &[
            ("OUTPUT_IMAGE", &r.image),
            ("CACHE_IMAGE", &r.cache),
            ("CACHE_MODE", "max"),
        ],
    );
    first.assert_success();
    assert!(first.printed(PIP_INSTALL), "{}", first.log());

    forget_local(&e, &[&r.image]);
    let new_tag = format!("{}-new", r.tag);
    let new_cache = format!("{}/{}-cache:{new_tag}", e.registry, r.repo);
    let cache_repo = format!("{}-cache", r.repo);
    assert!(!registry_tags(&e, &cache_repo).unwrap().contains(&new_tag));
    let second = build(
        &e,
        &app,
        &[
            ("OUTPUT_IMAGE", &r.image),
            ("CACHE_IMAGE", &new_cache),
            ("CACHE_FROM", &r.cache),
            ("CACHE_MODE", "max"),
        ],
    );
    second.assert_success();
    assert!(!second.printed(PIP_INSTALL), "{}", second.log());
    let tags = registry_tags(&e, &cache_repo).unwrap();
    assert!(tags.contains(&new_tag), "{tags:?}");
    forget_local(&e, &[&r.image]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn no_cache_runs_every_step_and_still_exports() {
    let e = engine();
    let r = refs(&e, "python", "no-cache");
    let app = App::new("python-pip", &r.tag);
    let plain = [
        ("OUTPUT_IMAGE", r.image.as_str()),
        ("CACHE_IMAGE", r.cache.as_str()),
        ("CACHE_MODE", "max"),
    ];
    // Warm both the builder's local cache and the registry cache...
    build(&e, &app, &plain).assert_success();
    // ...which NO_CACHE ignores: every step runs. It exports to a ref of its own, so the
    // last build below can only hit what this build wrote.
    let exported = format!("{}-nc", r.cache);
    let no_cache = build(
        &e,
        &app,
        &[
            ("OUTPUT_IMAGE", &r.image),
            ("CACHE_IMAGE", &exported),
            ("CACHE_MODE", "max"),
            ("NO_CACHE", "true"),
        ],
    );
    no_cache.assert_success();
    assert!(no_cache.printed(PIP_INSTALL), "{}", no_cache.log());
    // Every RUN and COPY step ran. (BuildKit still prints `CACHED` for `FROM` and `WORKDIR`
    // under --no-cache: they pull or create nothing new.)
    let steps = no_cache.steps(&["RUN ", "COPY "]);
    assert!(steps.len() >= 6, "{steps:?}\n{}", no_cache.log());
    for step in steps {
        no_cache.assert_ran(&step);
    }

    forget_local(&e, &[&r.image]);
    let next = build(
        &e,
        &app,
        &[
            ("OUTPUT_IMAGE", &r.image),
            ("CACHE_IMAGE", &exported),
            ("CACHE_MODE", "max"),
        ],
    );
    next.assert_success();
    assert!(!next.printed(PIP_INSTALL), "{}", next.log());
    forget_local(&e, &[&r.image]);
}

/// The npm tarball line npm logs with `NPM_CONFIG_LOGLEVEL=http`, e.g.
/// `npm http fetch GET 200 https://registry.npmjs.org/ms/-/ms-2.1.3.tgz 22ms (cache miss)`.
fn tarball_fetch(b: &harness::Build) -> String {
    b.stdout
        .lines()
        .find(|l| l.contains("npm http fetch GET") && l.contains("/ms/-/ms-2.1.3.tgz"))
        .unwrap_or_else(|| panic!("npm logged no tarball fetch:\n{}", b.log()))
        .to_string()
}

/// `BUILD_CACHE_DIR` + `CACHE_KEY`: the npm cache mount survives between builds of one key
/// and is not shared with another key. npm 9.2 (the seeded node:18) logs, for the tarball,
/// `(cache miss)` with an empty cache and `(cache updated)` when it found the entry in the
/// cache and revalidated it with the registry.
#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn build_cache_dir_mounts_persist_per_cache_key() {
    let e = engine();
    let r = refs(&e, "node", "mounts");
    let app = App::new("node-npm", &r.tag);
    let cache_dir = tempfile::tempdir().unwrap();
    let cache_dir = cache_dir.path().to_str().unwrap();
    let key1 = unique("k1");
    let key2 = unique("k2");
    // Start from a settled engine: this test's first build must see an empty mount.
    forget_local(&e, &[]);
    let vars = |key: &str| {
        vec![
            ("OUTPUT_IMAGE".to_string(), r.image.clone()),
            ("BUILD_CACHE_DIR".to_string(), cache_dir.to_string()),
            ("BUILD_ENV".to_string(), "NPM_CONFIG_LOGLEVEL".to_string()),
            ("NPM_CONFIG_LOGLEVEL".to_string(), "http".to_string()),
            ("CACHE_KEY".to_string(), key.to_string()),
        ]
    };
    let run = |v: Vec<(String, String)>| {
        let refs: Vec<(&str, &str)> = v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        build(&e, &app, &refs)
    };

    let first = run(vars(&key1));
    first.assert_success();
    assert!(tarball_fetch(&first).ends_with("(cache miss)"));

    // A lockfile change re-runs the install; the tarball is found in key1's mount.
    bump_node_lockfile(&app, "1.0.1");
    let second = run(vars(&key1));
    second.assert_success();
    assert!(second.printed(NPM_INSTALL), "{}", second.log());
    let line = tarball_fetch(&second);
    assert!(
        line.contains("(cache ") && !line.contains("(cache miss)"),
        "{line}"
    );

    // Another key has its own, empty mount. The mount id is not part of BuildKit's cache
    // key, so NO_CACHE makes the install run.
    let mut v = vars(&key2);
    v.push(("NO_CACHE".to_string(), "true".to_string()));
    let other = run(v);
    other.assert_success();
    assert!(tarball_fetch(&other).ends_with("(cache miss)"));
    forget_local(&e, &[&r.image]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn registry_mirror_rewrites_the_base_images() {
    let e = engine();
    let r = refs(&e, "python", "mirror");
    let app = App::new("python-pip", &r.tag);
    let mirrored = format!("{}/mirror/library/", e.registry);

    let out = std::process::Command::new(harness::bin())
        .env_clear()
        .env("DOCKERFILE_SYNTAX", "")
        .env("REGISTRY_MIRROR", &e.registry)
        .arg("dockerfile")
        .arg(&app.path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let dockerfile = String::from_utf8(out.stdout).unwrap();
    let froms: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    assert_eq!(froms.len(), 2, "{dockerfile}");
    for from in &froms {
        assert!(
            from.starts_with(&format!("FROM {mirrored}python:3.11")),
            "{from}"
        );
    }

    let b = build(
        &e,
        &app,
        &[("OUTPUT_IMAGE", &r.image), ("REGISTRY_MIRROR", &e.registry)],
    );
    b.assert_success();
    assert!(
        b.printed(&format!("load metadata for {mirrored}python:3.11")),
        "{}",
        b.log()
    );
    forget_local(&e, &[&r.image]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn local_tag_loads_into_the_engine_and_pushes_nothing() {
    let e = engine();
    let repo = format!("e2e/{}", unique("local"));
    let image = format!("{}/{repo}:local", e.registry);
    let app = App::new("python-pip", &repo);
    let b = build(&e, &app, &[("OUTPUT_IMAGE", &image)]);
    assert_eq!(b.code, Some(0), "{}", b.log());
    assert_eq!(b.result.as_ref().unwrap()["status"], "success");
    let (ok, out) = docker(&e, &["image", "inspect", &image]);
    assert!(ok, "{out}");
    assert_eq!(
        registry_tags(&e, &repo),
        None,
        "the :local image was pushed"
    );
    forget_local(&e, &[&image]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn unreachable_cache_registry_does_not_fail_the_build() {
    let e = engine();
    let r = refs(&e, "python", "cache-down");
    let app = App::new("python-pip", &r.tag);
    let b = build(
        &e,
        &app,
        &[
            ("OUTPUT_IMAGE", &r.image),
            ("CACHE_IMAGE", "127.0.0.1:1/x:cache"),
            ("CACHE_MODE", "max"),
        ],
    );
    b.assert_success();
    // The import and the export did fail; the build went on.
    assert!(b.printed("127.0.0.1:1"), "{}", b.log());
    forget_local(&e, &[&r.image]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn unreachable_push_registry_fails_clearly() {
    let e = engine();
    let app = App::new("python-pip", &unique("push-down"));
    let image = "127.0.0.1:1/app:v1";
    let b = build(&e, &app, &[("OUTPUT_IMAGE", image), ("RESULT_FILE", "")]);
    // A failed build has its own exit code; buildx's status is in the line.
    assert_eq!(b.code, Some(7), "{}", b.log());
    let line = b
        .stderr
        .lines()
        .find(|l| l.contains("ERROR"))
        .unwrap_or_else(|| panic!("no error line:\n{}", b.log()));
    assert!(
        line.contains("Docker build failed (buildx exit status 1)")
            && line.contains("failed to push 127.0.0.1:1/app:v1"),
        "unclear failure line: {line}"
    );

    let dir = tempfile::tempdir().unwrap();
    let result = dir.path().join("result.json");
    let b = build(
        &e,
        &app,
        &[
            ("OUTPUT_IMAGE", image),
            ("RESULT_FILE", result.to_str().unwrap()),
        ],
    );
    assert_eq!(b.code, Some(0), "with RESULT_FILE a failure exits 0");
    let res = b.result.as_ref().unwrap();
    assert_eq!(res["status"], "failed", "{res:#}");
    assert_eq!(res["exit_code"], 1);
    let err = res["error"].as_str().unwrap();
    assert!(
        err.starts_with(
            "Docker build failed (buildx exit status 1): failed to solve: failed to push 127.0.0.1:1/app:v1"
        ),
        "{err}"
    );
    forget_local(&e, &[image]);
}

#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn concurrent_builds_share_build_cache_dir() {
    let e = engine();
    let cache_dir = tempfile::tempdir().unwrap();
    let cache_dir = cache_dir.path().to_str().unwrap().to_string();
    let py = refs(&e, "python", "concurrent");
    let node = refs(&e, "node", "concurrent");
    let py_app = App::new("python-pip", &py.tag);
    let node_app = App::new("node-npm", &node.tag);
    std::thread::scope(|s| {
        let jobs: Vec<_> = [(&py, &py_app), (&node, &node_app)]
            .into_iter()
            .map(|(r, app)| {
                let (e, cache_dir) = (&e, &cache_dir);
                s.spawn(move || {
                    build_in(
                        e,
                        &app.path,
                        &[
                            ("OUTPUT_IMAGE", r.image.as_str()),
                            ("CACHE_IMAGE", r.cache.as_str()),
                            ("BUILD_CACHE_DIR", cache_dir.as_str()),
                        ],
                    )
                })
            })
            .collect();
        for job in jobs {
            job.join().unwrap().assert_success();
        }
    });
    forget_local(&e, &[&py.image, &node.image]);
}

// ---- Untrusted repositories (issue 12, items 1 and 2), on the real engine ----

/// A compose service whose context is a symlink to `/` is refused before anything is built:
/// buildx would otherwise upload the builder's whole filesystem as the build context.
#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn compose_context_linking_to_the_root_is_refused() {
    let e = engine();
    let r = refs(&e, "compose-escape", "symlink");
    let app = App::new("compose", &r.tag);
    std::os::unix::fs::symlink("/", app.path.join("hostroot")).unwrap();
    app.append(
        "compose.yaml",
        "  steal:\n    build:\n      context: hostroot\n      dockerfile: etc/hostname\n",
    );
    let b = build(&e, &app, &[("OUTPUT_IMAGE", r.image.as_str())]);
    // RESULT_FILE is set: a refused build exits 0 and says so in the result file.
    assert_eq!(b.code, Some(0), "{}", b.log());
    let res = b.result.as_ref().unwrap();
    assert_eq!(res["status"], "failed", "{res:#}");
    let error = res["error"].as_str().unwrap();
    assert!(
        error.contains("compose.yaml") && error.contains("outside the source folder"),
        "{error}"
    );
    assert!(
        b.stderr.contains("outside the source folder"),
        "{}",
        b.log()
    );
    // Nothing was built: not even the services before the bad one.
    assert!(!b.printed("Building service"), "{}", b.log());
    for service in ["api", "web", "steal"] {
        let tags = registry_tags(&e, &format!("{}-{service}", r.repo)).unwrap_or_default();
        assert!(!tags.contains(&r.tag), "{service} was pushed: {tags:?}");
    }
}

/// Compose build args named like the operator's docker variables reach the build as build
/// args, never the docker client: the build still talks to the operator's engine
/// (`DOCKER_HOST`), through no proxy, and the args arrive in the image.
#[test]
#[ignore = "needs the engine: scripts/test.sh"]
fn compose_args_named_like_docker_variables_do_not_redirect_the_client() {
    let e = engine();
    let r = refs(&e, "compose-args", "env");
    let app = App::new("compose", &r.tag);
    app.append(
        "compose.yaml",
        "        DOCKER_HOST: tcp://127.0.0.1:9\n        HTTPS_PROXY: http://127.0.0.1:9\n        HTTP_PROXY: http://127.0.0.1:9\n        BUILDX_BUILDER: no-such-builder\n        DOCKER_CONFIG: /nonexistent\n",
    );
    app.append(
        "web/Dockerfile",
        "ARG DOCKER_HOST\nRUN echo \"arg DOCKER_HOST=$DOCKER_HOST\" >> /service.txt\n",
    );
    let b = build(&e, &app, &[("OUTPUT_IMAGE", r.image.as_str())]);
    assert_eq!(b.code, Some(0), "{}", b.log());
    let res = b.result.as_ref().unwrap();
    assert_eq!(res["status"], "success", "{res:#}\n{}", b.log());
    let name = format!("{}/{}-web:{}", e.registry, r.repo, r.tag);
    let (ok, out) = docker(&e, &["run", "--rm", &name]);
    assert!(ok && out.contains("hello from web"), "{out}");
    assert!(out.contains("arg DOCKER_HOST=tcp://127.0.0.1:9"), "{out}");
    forget_local(
        &e,
        &[&name, &format!("{}/{}-api:{}", e.registry, r.repo, r.tag)],
    );
}
