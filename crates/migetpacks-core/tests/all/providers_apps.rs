//! Decisions of issue 13 on hand-made projects: start commands from the framework and the files
//! that exist (and a generation-time error when there is none), pinned package managers,
//! workspace members, static sites, Python start commands and Go `cmd/<name>` packages.

use crate::support::plan as plan_support;

use migetpacks_core::detect::PackageManager;
use migetpacks_core::language::Language;
use plan_support::*;

fn node(files: &[(&str, &str)], env: &[(&str, &str)]) -> Result<String, String> {
    node_with(PackageManager::Npm, files, env)
}

fn node_with(
    pm: PackageManager,
    files: &[(&str, &str)],
    env: &[(&str, &str)],
) -> Result<String, String> {
    try_generate(Language::Nodejs, Some(pm), "20", files, env)
        .map(|g| g.dockerfile)
        .map_err(|e| e.to_string())
}

#[test]
fn node_without_any_start_is_a_generation_error() {
    let files = [("package.json", r#"{"dependencies":{"ms":"2.1.3"}}"#)];
    let e = node(&files, &[]).unwrap_err();
    assert!(e.starts_with("package.json: no start command"), "{e}");
    // An explicit command or a Procfile is enough.
    let d = node(&files, &[("RUN_COMMAND", "node worker.js")]).unwrap();
    assert!(d.contains(r#"CMD ["sh","-c","node worker.js"]"#), "{d}");
    let with_procfile = [files[0], ("Procfile", "web: node web.js\n")];
    assert!(node(&with_procfile, &[]).is_ok());
}

#[test]
fn node_framework_start_commands() {
    let cases: [(&str, &str); 5] = [
        (r#""nuxt":"^3""#, "node .output/server/index.mjs"),
        (
            r#""@sveltejs/kit":"^2","@sveltejs/adapter-node":"^5""#,
            "node build",
        ),
        (r#""@nestjs/core":"^10""#, "node dist/main.js"),
        (
            r#""astro":"^4","@astrojs/node":"^8""#,
            "HOST=0.0.0.0 node ./dist/server/entry.mjs",
        ),
        (r#""next":"^14""#, "./node_modules/.bin/next start"),
    ];
    for (deps, want) in cases {
        let pkg = format!(r#"{{"scripts":{{"build":"x"}},"dependencies":{{{deps}}}}}"#);
        let d = node(&[("package.json", &pkg)], &[]).unwrap();
        assert!(
            d.contains(&format!(r#"CMD ["sh","-c","{want}"]"#)),
            "{deps}:\n{d}"
        );
    }
    // A build output server without a build script cannot exist.
    let e = node(
        &[("package.json", r#"{"dependencies":{"nuxt":"^3"}}"#)],
        &[],
    )
    .unwrap_err();
    assert!(e.contains("Nuxt app without a \"build\" script"), "{e}");
    let e = node(
        &[(
            "package.json",
            r#"{"scripts":{"build":"vite build"},"devDependencies":{"@sveltejs/kit":"^2","@sveltejs/adapter-auto":"^3"}}"#,
        )],
        &[],
    )
    .unwrap_err();
    assert!(e.contains("@sveltejs/adapter-node"), "{e}");
}

#[test]
fn static_sites_are_served_by_caddy() {
    let spa = [
        (
            "package.json",
            r#"{"scripts":{"build":"react-scripts build"},"dependencies":{"react-scripts":"5"}}"#,
        ),
        ("src/index.js", ""),
    ];
    let d = node(&spa, &[]).unwrap();
    assert!(d.contains("FROM debian:bookworm-slim\n"), "{d}");
    assert!(
        d.contains("COPY --from=caddy:2 /usr/bin/caddy /usr/local/bin/caddy"),
        "{d}"
    );
    assert!(
        d.contains("COPY --from=builder --chown=1000:1000 /build/build /app"),
        "{d}"
    );
    assert!(d.contains("try_files {path} /index.html"), "{d}");
    assert!(d.ends_with("USER 1000\nCMD [\"sh\",\"-c\",\"caddy run --config /etc/caddy/Caddyfile --adapter caddyfile\"]\n"), "{d}");
    // The output folder can be named; the mirror applies to the Caddy image too.
    let d = node(
        &spa,
        &[
            ("STATIC_OUTPUT_DIR", "out/site/"),
            ("REGISTRY_MIRROR", "https://mirror.local"),
        ],
    )
    .unwrap();
    assert!(d.contains("/build/out/site /app"), "{d}");
    assert!(
        d.contains("COPY --from=mirror.local/mirror/library/caddy:2 "),
        "{d}"
    );
    // A page without a build is served as it is, straight from the build context.
    let d = node(
        &[("package.json", "{}"), ("index.html", "<h1>hi</h1>")],
        &[],
    )
    .unwrap();
    assert!(d.contains("COPY --chown=1000:1000 . /app"), "{d}");
    assert!(!d.contains("npm"), "{d}");
}

#[test]
fn static_output_dir_must_be_a_plain_relative_path() {
    use migetpacks_core::settings::{EnvMap, Settings};
    for bad in ["../site", "a/../../b", "dist site", "a;b"] {
        let env: EnvMap = [("STATIC_OUTPUT_DIR".to_string(), bad.to_string())]
            .into_iter()
            .collect();
        let e = Settings::from_env(&env).unwrap_err().to_string();
        assert!(e.starts_with("STATIC_OUTPUT_DIR"), "{bad}: {e}");
    }
}

#[test]
fn pnpm_is_pinned_from_the_field_engines_or_lockfile() {
    let pnpm = |pkg: &str, lock: &str| -> String {
        node_with(
            PackageManager::Pnpm,
            &[
                ("package.json", pkg),
                ("pnpm-lock.yaml", lock),
                ("index.js", ""),
            ],
            &[],
        )
        .unwrap()
    };
    let deps = r#""dependencies":{"ms":"2"}"#;
    let d = pnpm(
        &format!(r#"{{{deps},"packageManager":"pnpm@8.6.2"}}"#),
        "lockfileVersion: '9.0'\n",
    );
    assert!(d.contains("corepack prepare pnpm@8.6.2 --activate"), "{d}");
    let d = pnpm(
        &format!(r#"{{{deps},"engines":{{"pnpm":">=7"}}}}"#),
        "lockfileVersion: '9.0'\n",
    );
    assert!(d.contains("corepack prepare pnpm@7.33.7 --activate"), "{d}");
    let d = pnpm(&format!("{{{deps}}}"), "lockfileVersion: 5.4\n");
    assert!(d.contains("corepack prepare pnpm@7.33.7 --activate"), "{d}");
    let d = pnpm(&format!("{{{deps}}}"), "lockfileVersion: '6.0'\n");
    assert!(d.contains("corepack prepare pnpm@8.15.9 --activate"), "{d}");
    // A field that is not an exact version never reaches the shell.
    let g = try_generate(
        Language::Nodejs,
        Some(PackageManager::Pnpm),
        "20",
        &[
            (
                "package.json",
                r#"{"dependencies":{"ms":"2"},"packageManager":"pnpm@9; curl x"}"#,
            ),
            ("pnpm-lock.yaml", "lockfileVersion: '9.0'\n"),
            ("index.js", ""),
        ],
        &[],
    )
    .unwrap();
    assert!(!g.dockerfile.contains("curl"), "{}", g.dockerfile);
    assert!(
        g.dockerfile.contains("corepack prepare pnpm@9.15.9"),
        "{}",
        g.dockerfile
    );
    assert!(
        g.plan.warnings.iter().any(|w| w.contains("packageManager")),
        "{:?}",
        g.plan.warnings
    );
}

#[test]
fn workspace_members_are_copied_before_the_install() {
    let files = [
        (
            "package.json",
            r#"{"workspaces":{"packages":["apps/*","packages/**","!packages/legacy"]},"scripts":{"start":"node apps/api/index.js"}}"#,
        ),
        ("package-lock.json", "{}"),
        ("apps/api/package.json", r#"{"dependencies":{"ms":"2"}}"#),
        ("apps/docs/README.md", ""),
        ("packages/db/package.json", "{}"),
        ("packages/tools/cli/package.json", "{}"),
        ("packages/legacy/package.json", "{}"),
    ];
    let d = node(&files, &[]).unwrap();
    assert_order(
        &d,
        &[
            "COPY package.json package-lock.json ./",
            "COPY apps/api/package.json apps/api/",
            "COPY packages/db/package.json packages/db/",
            "COPY packages/tools/cli/package.json packages/tools/cli/",
            "RUN npm ci",
            "COPY . .",
        ],
    );
    assert!(!d.contains("packages/legacy"), "{d}");
    assert!(!d.contains("apps/docs"), "{d}");
}

#[test]
fn npm_lockfile_out_of_sync_installs_with_npm_install() {
    let lock = r#"{"lockfileVersion":3,"packages":{"":{"dependencies":{"ms":"^2.1.3"}}}}"#;
    let pkg = |deps: &str| format!(r#"{{"main":"i.js","dependencies":{{{deps}}}}}"#);
    let files = |p: &str| vec![("package.json".to_string(), p.to_string())];
    let run = |p: String| {
        let mut f: Vec<(&str, &str)> = vec![("package-lock.json", lock), ("i.js", "")];
        let owned = files(&p);
        f.push(("package.json", owned[0].1.as_str()));
        try_generate(Language::Nodejs, Some(PackageManager::Npm), "20", &f, &[]).unwrap()
    };
    let g = run(pkg(r#""ms":"^2.1.3""#));
    assert!(
        g.dockerfile.contains("RUN npm ci --omit=dev"),
        "{}",
        g.dockerfile
    );
    let g = run(pkg(r#""ms":"^2.1.3","cookie":"^1""#));
    assert!(
        g.dockerfile.contains("RUN npm install\n"),
        "{}",
        g.dockerfile
    );
    assert!(
        g.plan
            .warnings
            .iter()
            .any(|w| w.contains("dependencies.cookie missing")),
        "{:?}",
        g.plan.warnings
    );
}

fn python(files: &[(&str, &str)]) -> Result<String, String> {
    try_generate(Language::Python, None, "3.12", files, &[])
        .map(|g| g.dockerfile)
        .map_err(|e| e.to_string())
}

#[test]
fn python_start_commands_need_something_to_serve() {
    // gunicorn in the requirements, but no app object: the script runs.
    let d = python(&[
        ("requirements.txt", "gunicorn\n"),
        ("main.py", "print(1)\n"),
    ])
    .unwrap();
    assert!(d.contains(r#"CMD ["sh","-c","python main.py"]"#), "{d}");
    let d = python(&[
        ("requirements.txt", "gunicorn\nflask\n"),
        ("app.py", "from flask import Flask\nweb = Flask(__name__)\n"),
    ])
    .unwrap();
    assert!(d.contains("gunicorn app:web --bind 0.0.0.0:$PORT"), "{d}");
    let d = python(&[
        ("requirements.txt", "gunicorn\nfalcon\n"),
        ("app.py", "import falcon\n\napp = falcon.App()\n"),
    ])
    .unwrap();
    assert!(d.contains("gunicorn app:app --bind"), "{d}");
    // A factory's local app is not a module attribute; `app = create_app()` is.
    let d = python(&[
        ("requirements.txt", "gunicorn\nflask\n"),
        (
            "wsgi.py",
            "from shop import create_app\n\napplication = create_app()\n",
        ),
    ])
    .unwrap();
    assert!(d.contains("gunicorn wsgi:application --bind"), "{d}");
    let d = python(&[
        ("requirements.txt", "uvicorn\n"),
        ("src/svc/__main__.py", ""),
    ])
    .unwrap();
    assert!(d.contains(r#""python -m svc""#), "{d}");
    let d = python(&[("requirements.txt", "requests\n"), ("crawler.py", "")]).unwrap();
    assert!(d.contains(r#""python crawler.py""#), "{d}");
    let e = python(&[
        ("requirements.txt", "requests\n"),
        ("a.py", ""),
        ("b.py", ""),
    ])
    .unwrap_err();
    assert!(e.starts_with("RUN_COMMAND: no start command"), "{e}");
}

#[test]
fn python_build_headers_and_tool_pins() {
    let d = python(&[
        ("requirements.txt", "pycairo==1.26\npsycopg2-binary\n"),
        ("app.py", ""),
    ])
    .unwrap();
    assert!(d.contains("libcairo2-dev pkg-config gcc"), "{d}");
    assert!(!d.contains("libpq-dev"), "{d}");
    assert!(d.contains("libpq5 libcairo2"), "{d}");
    let d = python(&[
        ("pyproject.toml", "[project]\nname='x'\n"),
        ("poetry.lock", ""),
        (
            "mise.toml",
            "[tools]\npoetry = \"1.8.3\"\nuv = \"latest\"\n",
        ),
        ("app.py", ""),
    ])
    .unwrap();
    assert!(d.contains("poetry==1.8.3"), "{d}");
}

#[test]
fn go_single_cmd_package() {
    let g = generate(
        Language::Go,
        None,
        "1.22",
        &[
            ("go.mod", "module example.com/tool\n\ngo 1.22\n"),
            ("cmd/tool/main.go", "package main\n\nfunc main() {}\n"),
            ("internal/x/x.go", "package x\n"),
        ],
        &[],
    );
    assert!(
        g.dockerfile.contains("-o /build/bin/tool ./cmd/tool"),
        "{}",
        g.dockerfile
    );
    assert!(g.dockerfile.contains(r#""./bin/tool""#), "{}", g.dockerfile);
}
