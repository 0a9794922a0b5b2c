//! Go provider: snapshots of the generated Dockerfiles and the behaviour they must have.

use crate::support::plan as plan_support;

use migetpacks_core::language::Language;
use migetpacks_core::plan::{CommandSource, Phase};
use plan_support::*;

const HELLO: &[(&str, &str)] = &[
    (
        "go.mod",
        "module github.com/migetapp/go-hello-world\n\ngo 1.22\n",
    ),
    ("go.sum", ""),
    ("main.go", "package main\n\nfunc main() {}\n"),
    ("templates/index.html", "<h1>hi</h1>\n"),
];

/// Several commands via the Heroku directive, golang-migrate and both hooks.
const SHOP: &[(&str, &str)] = &[
    (
        "go.mod",
        "// +heroku install ./cmd/...\nmodule example.com/shop/v2\n\ngo 1.23.4\n\nrequire (\n\tgithub.com/golang-migrate/migrate/v4 v4.17.1\n)\n",
    ),
    ("go.sum", ""),
    ("cmd/api/main.go", "package main\n\nfunc main() {}\n"),
    ("cmd/worker/main.go", "// worker\npackage main\n"),
    ("cmd/internal/util.go", "package internal\n"),
    ("bin/go-pre-compile", "#!/bin/sh\ngo generate ./...\n"),
    ("bin/go-post-compile", "#!/bin/sh\necho done\n"),
];

#[test]
fn snapshots() {
    for (name, g) in variants(
        Language::Go,
        None,
        "1.22.3",
        HELLO,
        "go-hello-world --port $PORT",
    ) {
        snapshot(&format!("go_hello__{name}"), &g);
    }
    snapshot(
        "go_shop__default",
        &generate(Language::Go, None, "1.23.4", SHOP, &[]),
    );
    let settings = [
        ("BUILD_CACHE_DIR", "/var/cache/buildkit"),
        ("GO_LINKER_SYMBOL", "main.version"),
        ("GO_LINKER_VALUE", "1.2 beta"),
        ("GO_BUILD_FLAGS", "-tags 'netgo osusergo' -v"),
        ("GO_INSTALL_TOOLS_IN_IMAGE", "true"),
        ("GO_SETUP_GOPATH_IN_IMAGE", "true"),
    ];
    snapshot(
        "go_hello__settings",
        &generate(Language::Go, None, "1.22.3", HELLO, &settings),
    );
    let mut vendored = HELLO.to_vec();
    vendored.push(("vendor/modules.txt", "# github.com/x/y v1.0.0\n"));
    snapshot(
        "go_hello__vendored",
        &generate(Language::Go, None, "1.22.3", &vendored, &[]),
    );
}

#[test]
fn start_command_is_the_real_binary() {
    let g = generate(Language::Go, None, "1.22.3", HELLO, &[]);
    assert_eq!(g.plan.start_command.command, "./bin/go-hello-world");
    assert_eq!(g.plan.start_command.source, CommandSource::Default);
    assert!(g.dockerfile.contains("-o /build/bin/go-hello-world ."));
    // The original layout's `./<binary>` and Heroku's bare name both reach /app/bin.
    for web in [
        "./go-hello-world --port $PORT",
        "go-hello-world --port $PORT",
    ] {
        let mut files = HELLO.to_vec();
        let procfile = format!("web: {web}\n");
        files.push(("Procfile", &procfile));
        let g = generate(Language::Go, None, "1.22.3", &files, &[]);
        assert_eq!(
            g.plan.start_command.command,
            "./bin/go-hello-world --port $PORT"
        );
    }
    // Several packages: go build names each binary; the first is the default.
    let g = generate(Language::Go, None, "1.23.4", SHOP, &[]);
    assert_eq!(g.plan.start_command.command, "./bin/api");
    assert!(
        g.dockerfile.contains("-o /build/bin/ ./cmd/..."),
        "{}",
        g.dockerfile
    );
    let g = generate(
        Language::Go,
        None,
        "1.22.3",
        HELLO,
        &[("GO_INSTALL_PACKAGE_SPEC", "./cmd/server")],
    );
    assert_eq!(g.plan.start_command.command, "./bin/server");
    // A module path with a major-version suffix names the binary after the element before it.
    let v2 = [
        ("go.mod", "module example.com/shop/v2\n"),
        ("main.go", "package main\n"),
    ];
    assert_eq!(
        generate(Language::Go, None, "1.22", &v2, &[])
            .plan
            .start_command
            .command,
        "./bin/shop"
    );
}

#[test]
fn layer_order_and_runtime_contents() {
    let g = generate(Language::Go, None, "1.22.3", HELLO, &[]);
    let d = &g.dockerfile;
    assert_order(
        d,
        &[
            "COPY go.mod go.sum ./",
            "RUN go mod download",
            "COPY . .",
            "go build",
            "FROM debian:bookworm-slim",
        ],
    );
    // D.34: CA certificates on the slim runtime.
    assert_order(
        d,
        &[
            "FROM debian:bookworm-slim",
            "ca-certificates",
            "COPY --from=builder /build/bin/ /app/bin/",
        ],
    );
    // Only the binaries and asset folders reach the runtime: no source copy.
    let runtime = &d[d.find("FROM debian").unwrap()..];
    assert!(
        !runtime.contains(" . /app") && !runtime.contains("/build /app"),
        "{runtime}"
    );
    assert!(runtime.contains("COPY --chown=1000:1000 templates /app/templates"));
    assert!(g.plan.phase(Phase::Install).len() == 1 && g.plan.phase(Phase::Manifests).len() == 1);
    // go.sum is copied only when it exists.
    let no_sum = [("go.mod", "module hello\n"), ("main.go", "package main\n")];
    assert!(generate(Language::Go, None, "1.22", &no_sum, &[])
        .dockerfile
        .contains("COPY go.mod ./\n"));
}

#[test]
fn cache_mounts_only_with_build_cache_dir() {
    let plain = generate(Language::Go, None, "1.22.3", HELLO, &[]);
    assert!(!plain.dockerfile.contains("--mount=type=cache") && plain.plan.cache_mounts.is_empty());
    let cached = generate(
        Language::Go,
        None,
        "1.22.3",
        HELLO,
        &[("BUILD_CACHE_DIR", "/c"), ("CACHE_KEY", "shop")],
    );
    assert_mounts_keyed(&cached.dockerfile, "shop");
    let targets: Vec<&str> = cached
        .plan
        .cache_mounts
        .iter()
        .map(|m| m.target.as_str())
        .collect();
    assert_eq!(targets, ["/go/pkg/mod", "/root/.cache/go-build"]);
    assert!(cached.dockerfile.contains("GOMODCACHE=\"/go/pkg/mod\""));
}

#[test]
fn migrate_hooks_and_directive() {
    let g = generate(Language::Go, None, "1.23.4", SHOP, &[]);
    let d = &g.dockerfile;
    // golang-migrate at the go.mod version, into the folder the runtime copies.
    assert!(d.contains("GOBIN=/build/bin go install -tags=postgres,mysql github.com/golang-migrate/migrate/v4/cmd/migrate@v4.17.1"), "{d}");
    assert_order(
        d,
        &["./bin/go-pre-compile", "go build", "./bin/go-post-compile"],
    );
    assert!(g.plan.notes.iter().any(|n| n.contains("./cmd/...")));
    // The directive never leaks console text into the file (D.33).
    assert!(!d.contains("Using install directive"));
}

#[test]
fn build_flags_are_words_and_linker_values_are_quoted() {
    let g = generate(
        Language::Go,
        None,
        "1.22.3",
        HELLO,
        &[
            ("GO_BUILD_FLAGS", "-tags 'a b' -race"),
            ("GO_LINKER_SYMBOL", "main.v"),
            ("GO_LINKER_VALUE", "x y"),
        ],
    );
    assert!(
        g.dockerfile
            .contains(r#"-ldflags='-s -w -X "main.v=x y"' -tags 'a b' -race -o"#),
        "{}",
        g.dockerfile
    );
    let e = try_generate(
        Language::Go,
        None,
        "1.22.3",
        HELLO,
        &[("GO_BUILD_FLAGS", "-tags 'open")],
    )
    .unwrap_err();
    assert!(e.to_string().contains("GO_BUILD_FLAGS"), "{e}");
}

#[test]
fn hardened_images() {
    let g = generate(Language::Go, None, "1.22.3", HELLO, &[("USE_DHI", "true")]);
    assert_eq!(g.plan.build_image, "dhi.io/golang:1.22.12-dev");
    assert_eq!(g.plan.runtime_image, "dhi.io/golang:1.22.12");
    assert_eq!(g.plan.version, "1.22.12");
    assert!(g
        .plan
        .warnings
        .iter()
        .any(|w| w.contains("1.22.3") && w.contains("1.22.12")));
    assert!(g
        .dockerfile
        .contains("ENTRYPOINT [\"./bin/go-hello-world\"]"));
    assert!(!g.dockerfile.contains("apt-get"));
    for (v, min) in [("1.21.5", "1.22.12"), ("1.20", "1.22")] {
        let e = try_generate(Language::Go, None, v, HELLO, &[("USE_DHI", "true")])
            .unwrap_err()
            .to_string();
        assert!(e.contains(v) && e.contains(min), "{e}");
    }
    let g = generate(Language::Go, None, "1.25", HELLO, &[("USE_DHI", "true")]);
    assert!(g.plan.warnings.is_empty() && g.plan.build_image == "dhi.io/golang:1.25-dev");
}

#[test]
fn without_go_mod_is_an_error_naming_go_mod() {
    let e = try_generate(
        Language::Go,
        None,
        "1.22",
        &[("Godeps/Godeps.json", "{}"), ("main.go", "")],
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("go.mod:"), "{e}");
}

#[test]
fn build_command_ships_the_build_folder() {
    let g = generate(
        Language::Go,
        None,
        "1.22.3",
        HELLO,
        &[("BUILD_COMMAND", "make release")],
    );
    let d = &g.dockerfile;
    assert!(
        d.contains("RUN make release\n") && !d.contains("go build"),
        "{d}"
    );
    // Its outputs are unknown: the whole build folder goes to the runtime stage.
    assert!(d.contains("COPY --from=builder --chown=1000:1000 /build /app"));
    assert!(!d.contains("/build/bin/ /app/bin/"));
}
