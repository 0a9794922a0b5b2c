//! Multi-buildpack: additional runtimes copied into the builder from the right image, their
//! dependencies installed before the primary's source copy, their build before the primary's
//! asset steps, runtime-stage copies by rule, hardened-image warnings and unsupported runtimes.

use migetpacks_core::language::Language;
use migetpacks_core::pipeline::{generate, Generated};
use migetpacks_core::settings::{EnvMap, Settings};
use migetpacks_core::source::SourceTree;

fn try_gen(files: &[(&str, &str)], env: &[(&str, &str)]) -> Result<Generated, String> {
    let map: EnvMap = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let settings = Settings::from_env(&map).expect("valid settings");
    let tree = SourceTree::in_memory(files.iter().copied());
    generate(&settings, &tree).map_err(|e| e.to_string())
}

fn gen(files: &[(&str, &str)], env: &[(&str, &str)]) -> Generated {
    try_gen(files, env).unwrap_or_else(|e| panic!("generation failed: {e}"))
}

fn pos(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found in:\n{text}"))
}

fn assert_order(text: &str, needles: &[&str]) {
    for w in needles.windows(2) {
        assert!(
            pos(text, w[0]) < pos(text, w[1]),
            "{:?} should come before {:?} in:\n{text}",
            w[0],
            w[1]
        );
    }
}

/// The runtime stage's text (after the last `FROM`).
fn runtime_stage(d: &str) -> &str {
    &d[d.rfind("\nFROM ").expect("two stages")..]
}

fn builder_stage(d: &str) -> &str {
    &d[..d.rfind("\nFROM ").expect("two stages")]
}

const PKG_BUILD: &str =
    r#"{"name":"x","private":true,"scripts":{"build":"node build.js"},"engines":{"node":"20.x"}}"#;
const LOCK: &str =
    r#"{"name":"x","lockfileVersion":3,"requires":true,"packages":{"":{"name":"x"}}}"#;

fn rails() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "Gemfile",
            "source \"https://rubygems.org\"\nruby \"3.3.6\"\ngem \"rails\"\ngem \"puma\"\n",
        ),
        (
            "Gemfile.lock",
            "GEM\n  remote: https://rubygems.org/\n  specs:\n    puma (6.4.3)\n    rails (7.2.2)\n\nDEPENDENCIES\n  puma\n  rails\n\nBUNDLED WITH\n   2.5.22\n",
        ),
        ("Rakefile", "task :x\n"),
        ("app/assets/config/manifest.js", "//= link_tree ../builds\n"),
        ("config.ru", "run Rails.application\n"),
        ("package.json", PKG_BUILD),
        ("package-lock.json", LOCK),
    ]
}

fn django() -> Vec<(&'static str, &'static str)> {
    vec![
        ("manage.py", "import django\n"),
        ("project/__init__.py", ""),
        ("project/wsgi.py", "application = None\n"),
        ("requirements.txt", "django==5.0.9\ngunicorn==23.0.0\n"),
        (".python-version", "3.12\n"),
        (
            "package.json",
            r#"{"name":"x","private":true,"scripts":{"build":"vite build"}}"#,
        ),
        ("package-lock.json", LOCK),
        (".nvmrc", "20\n"),
    ]
}

#[test]
fn automatic_node_secondary_beside_rails() {
    let g = gen(&rails(), &[]);
    assert_eq!(g.detection.additional, vec![Language::Nodejs]);
    let d = &g.dockerfile;
    let b = builder_stage(d);
    assert!(b.contains("COPY --from=node:20 /usr/local/bin/node /usr/local/bin/\n"));
    assert!(
        b.contains("COPY --from=node:20 /usr/local/lib/node_modules /usr/local/lib/node_modules\n")
    );
    // Node deps before the source copy (docs/differences.md), build before assets:precompile.
    assert_order(
        d,
        &[
            "COPY --from=node:20",
            "COPY Gemfile Gemfile.lock ./",
            "bundle install",
            "COPY package.json package-lock.json ./",
            "RUN npm ci\n",
            "COPY . .\n",
            "RUN NODE_ENV=production npm run build\n",
            "bundle exec rake assets:precompile",
            "RUN rm -rf node_modules\n",
            "\nFROM ruby:3.3.6-slim",
        ],
    );
    assert_eq!(d.matches("COPY . .\n").count(), 1, "{d}");
    // No process runs node: neither Node.js nor node_modules reach the image.
    assert!(!runtime_stage(d).contains("node"), "{d}");
    let rt = &g.plan.additional_runtimes;
    assert_eq!(rt.len(), 1);
    assert_eq!(
        (rt[0].language, rt[0].version.as_str(), rt[0].image.as_str()),
        (Language::Nodejs, "20", "node:20")
    );
    assert!(!rt[0].in_runtime_image);
    assert!(g
        .plan
        .notes
        .iter()
        .any(|n| n.starts_with("Adding runtime: nodejs 20")));
}

#[test]
fn explicit_buildpacks_ruby_nodejs_match_the_automatic_secondary() {
    let explicit = gen(&rails(), &[("BUILDPACKS", "heroku/ruby,heroku/nodejs")]);
    let auto = gen(&rails(), &[]);
    assert_eq!(explicit.detection.additional, vec![Language::Nodejs]);
    assert_eq!(explicit.dockerfile, auto.dockerfile);
    // A single buildpack is explicit too: no automatic Node.js.
    let single = gen(&rails(), &[("BUILDPACKS", "ruby")]);
    assert!(single.detection.additional.is_empty());
    assert!(!single.dockerfile.contains("npm"), "{}", single.dockerfile);
}

#[test]
fn node_build_runs_before_collectstatic() {
    let g = gen(&django(), &[]);
    let d = &g.dockerfile;
    assert_order(
        d,
        &[
            "COPY --from=node:20 /usr/local/bin/node",
            "RUN pip install --no-cache-dir -r requirements.txt",
            "COPY package.json package-lock.json ./",
            "RUN npm ci\n",
            "COPY . .\n",
            "RUN NODE_ENV=production npm run build\n",
            "RUN python manage.py collectstatic --noinput",
            "\nFROM python:3.12-slim",
        ],
    );
    assert!(runtime_stage(d).contains("COPY --from=builder --chown=1000:1000 /build /app"));
}

#[test]
fn primary_without_source_step_takes_the_builders_folder_for_the_node_build() {
    // Plain Ruby (no assets) copies its source from the context; the Node.js build output
    // lives in the builder, so the runtime stage must take the builder's folder.
    let files = [
        ("Gemfile", "source \"https://rubygems.org\"\ngem \"rack\"\n"),
        ("config.ru", "run ->(_) { [200, {}, []] }\n"),
        ("package.json", PKG_BUILD),
        ("package-lock.json", LOCK),
    ];
    let d = gen(&files, &[]).dockerfile;
    assert_order(
        &d,
        &[
            "RUN bundle install",
            "RUN npm ci\n",
            "COPY . .\n",
            "npm run build",
            "RUN rm -rf node_modules",
        ],
    );
    let rt = runtime_stage(&d);
    assert!(
        rt.contains("COPY --from=builder --chown=1000:1000 /build /app"),
        "{d}"
    );
    assert!(!rt.contains("COPY --chown=1000:1000 . /app"), "{d}");
}

#[test]
fn without_a_build_script_the_primary_keeps_its_source_layer() {
    let files = [
        ("Gemfile", "source \"https://rubygems.org\"\ngem \"rack\"\n"),
        ("config.ru", "run ->(_) { [200, {}, []] }\n"),
        ("package.json", r#"{"name":"x"}"#),
    ];
    let d = gen(&files, &[]).dockerfile;
    assert!(!d.contains("npm run"), "{d}");
    assert!(
        runtime_stage(&d).contains("COPY --chown=1000:1000 . /app"),
        "{d}"
    );
}

#[test]
fn registry_mirror_rewrites_the_runtime_image_and_dhi_layout_comes_from_the_logical_image() {
    let g = gen(&rails(), &[("REGISTRY_MIRROR", "https://mirror.local")]);
    let img = "mirror.local/mirror/library/node:20";
    assert!(g.dockerfile.contains(&format!(
        "COPY --from={img} /usr/local/bin/node /usr/local/bin/\n"
    )));
    assert_eq!(g.plan.additional_runtimes[0].image, img);

    // Known-defects 41: a DHI mirror keeps the hardened layout.
    let g = gen(
        &rails(),
        &[
            ("USE_DHI", "true"),
            ("REGISTRY_MIRROR", "https://mirror.local"),
            ("DHI_MIRROR", "https://dhi.mirror.local/dhi-io"),
        ],
    );
    let d = &g.dockerfile;
    assert!(
        d.contains("COPY --from=dhi.mirror.local/dhi-io/node:20-dev /opt/nodejs /opt/nodejs\n"),
        "{d}"
    );
    assert!(d.contains("ln -sf /opt/nodejs/*/bin/node /usr/local/bin/node"));
    assert!(!d.contains("/usr/local/lib/node_modules /usr/local/lib/node_modules"));
}

#[test]
fn hardened_runtime_gets_no_additional_runtime_and_a_warning() {
    let g = gen(
        &rails(),
        &[("USE_DHI", "true"), ("RUN_COMMAND", "node x.js")],
    );
    let d = &g.dockerfile;
    assert!(builder_stage(d).contains("COPY --from=dhi.io/node:20-dev /opt/nodejs /opt/nodejs"));
    assert!(!runtime_stage(d).contains("/usr/local/bin/node"), "{d}");
    assert!(
        g.plan.warnings.iter().any(|w| w.contains("USE_DHI")
            && w.contains("nodejs 20")
            && w.contains("build time only")),
        "{:?}",
        g.plan.warnings
    );
    assert!(!g.plan.additional_runtimes[0].in_runtime_image);
}

#[test]
fn node_reaches_the_runtime_stage_only_when_a_process_runs_it() {
    let mut files = rails();
    files.push((
        "Procfile",
        "web: bundle exec puma -C config/puma.rb\nworker: node worker.js\n",
    ));
    let g = gen(&files, &[]);
    let d = &g.dockerfile;
    let rt = runtime_stage(d);
    assert!(
        rt.contains("COPY --from=builder /usr/local/bin/node /usr/local/bin/"),
        "{d}"
    );
    assert!(
        rt.contains("COPY --from=builder /usr/local/lib/node_modules /usr/local/lib/node_modules")
    );
    assert!(rt.contains("ln -sf /usr/local/lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm"));
    // node_modules stays for the worker.
    assert!(!d.contains("rm -rf node_modules"), "{d}");
    assert!(g.plan.additional_runtimes[0].in_runtime_image);

    let run = gen(&rails(), &[("RUN_COMMAND", "npx serve -l $PORT")]).dockerfile;
    assert!(runtime_stage(&run).contains("/usr/local/bin/node"));
}

#[test]
fn unsupported_additional_runtime_is_an_error_naming_buildpacks() {
    let e = try_gen(&rails(), &[("BUILDPACKS", "ruby,java")]).unwrap_err();
    assert!(e.contains("BUILDPACKS") && e.contains("java"), "{e}");
    assert!(e.contains("nodejs, python, ruby, go"), "{e}");
}

#[test]
fn python_additional_uses_the_version_for_its_library_folder() {
    let files = [
        (
            "package.json",
            r#"{"name":"x","scripts":{"start":"node i.js"},"dependencies":{"ms":"2.1.3"}}"#,
        ),
        (
            "package-lock.json",
            r#"{"name":"x","lockfileVersion":3,"requires":true,"packages":{"":{"name":"x","dependencies":{"ms":"2.1.3"}}}}"#,
        ),
        ("requirements.txt", "six==1.16.0\n"),
        (".python-version", "3.11\n"),
    ];
    let g = gen(
        &files,
        &[
            ("BUILDPACKS", "nodejs,python"),
            ("REGISTRY_MIRROR", "10.0.0.1:5000"),
        ],
    );
    let d = &g.dockerfile;
    let img = "10.0.0.1:5000/mirror/library/python:3.11";
    // Known-defects 42: the folder comes from the version, not from "10.0" in the mirror.
    assert!(
        d.contains(&format!(
            "COPY --from={img} /usr/local/lib/python3.11 /usr/local/lib/python3.11\n"
        )),
        "{d}"
    );
    // Node.js without a build copies no source into its builder: the Python install follows
    // the primary's, and nothing after it needs the source.
    assert_order(
        d,
        &[
            "RUN npm ci",
            "COPY requirements.txt ./",
            "RUN pip install --no-cache-dir -r requirements.txt",
        ],
    );
    assert!(!builder_stage(d).contains("COPY . ."), "{d}");
    let rt = runtime_stage(d);
    assert!(rt.contains("COPY --from=builder /usr/local/lib/python3.11 /usr/local/lib/python3.11"));
    assert!(rt.contains("RUN ldconfig"));

    let e = try_gen(
        &[
            ("package.json", r#"{"name":"x"}"#),
            ("index.js", ""),
            (".python-version", "3\n"),
        ],
        &[("BUILDPACKS", "nodejs,python")],
    )
    .unwrap_err();
    assert!(
        e.contains(".python-version") && e.contains("major.minor"),
        "{e}"
    );
}

#[test]
fn go_additional_builds_before_the_primary_and_stays_out_of_the_runtime() {
    let files = [
        ("requirements.txt", "six==1.16.0\n"),
        ("manage.py", ""),
        ("project/wsgi.py", ""),
        ("go.mod", "module example.com/x\n\ngo 1.22\n"),
        ("go.sum", ""),
    ];
    let d = gen(&files, &[("BUILDPACKS", "python,go")]).dockerfile;
    assert!(
        d.contains("COPY --from=golang:1.22 /usr/local/go /usr/local/go\n"),
        "{d}"
    );
    assert_order(
        &d,
        &[
            "COPY go.mod go.sum ./",
            "RUN go mod download",
            "COPY . .",
            "CGO_ENABLED=0 go build -o ./bin/ ./...",
            "collectstatic",
        ],
    );
    assert!(!runtime_stage(&d).contains("/usr/local/go"));
}

#[test]
fn ruby_additional_is_copied_into_both_stages() {
    let files = [
        (
            "package.json",
            r#"{"name":"x","scripts":{"start":"node i.js"},"dependencies":{"ms":"2.1.3"}}"#,
        ),
        ("Gemfile", "source \"https://rubygems.org\"\ngem \"sass\"\n"),
        (".ruby-version", "3.3.6\n"),
    ];
    let d = gen(&files, &[("BUILDPACKS", "nodejs,ruby")]).dockerfile;
    assert!(d.contains("COPY --from=ruby:3.3.6 /usr/local/lib/ruby /usr/local/lib/ruby"));
    assert_order(
        &d,
        &["COPY package.json", "COPY Gemfile ./", "RUN bundle install"],
    );
    let rt = runtime_stage(&d);
    assert!(rt.contains("COPY --from=builder /usr/local/bundle /usr/local/bundle"));
    assert!(rt.contains("COPY --from=builder /usr/local/lib/ruby /usr/local/lib/ruby"));
}

#[test]
fn cache_mounts_only_with_build_cache_dir() {
    let plain = gen(&django(), &[]).dockerfile;
    assert!(!plain.contains("--mount=type=cache"));
    let cached = gen(&django(), &[("BUILD_CACHE_DIR", "/c"), ("CACHE_KEY", "k")]).dockerfile;
    assert!(
        cached.contains(
            "RUN --mount=type=cache,id=k-npm,target=/root/.npm,sharing=shared \\\n    npm ci"
        ),
        "{cached}"
    );
}

#[test]
fn hadolint_accepts_python_ruby_and_go_additional_runtimes() {
    let Some(hadolint) = crate::support::Hadolint::find() else {
        return;
    };
    let go = [
        ("requirements.txt", "six==1.16.0\n"),
        ("app.py", ""),
        ("go.mod", "module example.com/x\n\ngo 1.22\n"),
    ];
    let py = [
        (
            "package.json",
            r#"{"name":"x","scripts":{"start":"node i.js"},"dependencies":{"ms":"2.1.3"}}"#,
        ),
        ("requirements.txt", "six==1.16.0\n"),
        ("Gemfile", "source \"https://rubygems.org\"\ngem \"sass\"\n"),
        ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
    ];
    let cases: Vec<Generated> = vec![
        gen(&go, &[("BUILDPACKS", "python,go")]),
        gen(
            &go,
            &[("BUILDPACKS", "python,go"), ("BUILD_CACHE_DIR", "/c")],
        ),
        gen(&py, &[("BUILDPACKS", "nodejs,python,ruby")]),
        gen(
            &py,
            &[("BUILDPACKS", "nodejs,python,ruby"), ("USE_DHI", "true")],
        ),
        gen(&rails(), &[("RUN_COMMAND", "node x.js")]),
    ];
    for (i, g) in cases.iter().enumerate() {
        if let Err(findings) = hadolint.lint(&format!("{i}.Dockerfile"), &g.dockerfile) {
            panic!("hadolint on case {i}:\n{findings}\n{}", g.dockerfile);
        }
    }
}
