//! Elixir (plain Mix app, Phoenix with and without a release, umbrella release).

use crate::support;

use migetpacks_core::language::Language;
use support::{assert_mounts_only_with_cache_dir, assert_order, generate};

fn plain() -> Vec<(&'static str, &'static str)> {
    vec![
        ("mix.exs", "defmodule Hello.MixProject do\n  use Mix.Project\n  def project, do: [app: :hello, version: \"0.1.0\", deps: deps()]\n  defp deps, do: [{:plug_cowboy, \"~> 2.7\"}]\nend\n"),
        ("mix.lock", "%{\"plug_cowboy\": {:hex, :plug_cowboy, \"2.7.1\"}}\n"),
        ("lib/hello.ex", "defmodule Hello do\nend\n"),
    ]
}

const PHOENIX_MIX: &str = "defmodule Shop.MixProject do\n  use Mix.Project\n  def project, do: [app: :shop, version: \"0.1.0\", deps: deps(), aliases: aliases()]\n  defp deps, do: [{:phoenix, \"~> 1.7.14\"}, {:esbuild, \"~> 0.8\"}]\n  defp aliases, do: [\"assets.deploy\": [\"esbuild shop --minify\", \"phx.digest\"]]\nend\n";

fn phoenix_release() -> Vec<(&'static str, &'static str)> {
    vec![
        ("mix.exs", PHOENIX_MIX),
        ("mix.lock", "%{}\n"),
        (
            "config/config.exs",
            "import Config\nimport_config \"#{config_env()}.exs\"\n",
        ),
        ("config/prod.exs", "import Config\n"),
        ("config/runtime.exs", "import Config\n"),
        ("assets/js/app.js", "\n"),
        ("lib/shop.ex", "\n"),
    ]
}

fn phoenix_mix() -> Vec<(&'static str, &'static str)> {
    vec![
        ("mix.exs", PHOENIX_MIX),
        (
            "mix.lock",
            "%{\"dep\": {:git, \"https://example.invalid/dep.git\", \"abc\", []}}\n",
        ),
        ("config/config.exs", "import Config\n"),
        ("lib/shop.ex", "\n"),
    ]
}

fn umbrella() -> Vec<(&'static str, &'static str)> {
    vec![
        ("mix.exs", "defmodule Platform.MixProject do\n  use Mix.Project\n  def project, do: [apps_path: \"apps\", version: \"0.1.0\", releases: [platform: [applications: [web: :permanent, core: :permanent]]]]\nend\n"),
        ("mix.lock", "%{}\n"),
        ("config/config.exs", "import Config\n"),
        ("apps/web/mix.exs", PHOENIX_MIX),
        ("apps/web/lib/web.ex", "\n"),
        ("apps/core/mix.exs", "defmodule Core.MixProject do\n  use Mix.Project\n  def project, do: [app: :core, deps: []]\nend\n"),
        ("apps/core/lib/core.ex", "\n"),
    ]
}

#[test]
fn plain_mix_snapshots() {
    let g = snapshot_variants!(
        "plain",
        Language::Elixir,
        "1.18.4",
        &plain(),
        &[("Procfile", "web: elixir --sname web -S mix run --no-halt\n")],
        &[]
    );
    let [default, cached, dhi, run] = &g[..] else {
        unreachable!()
    };
    assert_mounts_only_with_cache_dir(default, cached, &["hex"]);
    let df = &default.dockerfile;
    assert!(df.contains("FROM elixir:1.18.4 AS builder") && df.contains("FROM elixir:1.18.4-slim"));
    assert_order(
        df,
        &[
            "RUN mix local.hex --force",
            "COPY mix.exs mix.lock ./",
            "RUN mix deps.get --only prod \\\n    && mix deps.compile",
            "COPY . .",
            "RUN mix compile\n",
        ],
    );
    // A plain Mix app starts with mix run, not phx.server (D.38), with Hex/rebar available.
    assert!(
        df.contains(r#"CMD ["sh","-c","mix run --no-halt"]"#),
        "{df}"
    );
    assert!(df.contains("COPY --from=builder --chown=1000:1000 /opt/mix /opt/mix"));
    assert!(!df.contains("mix release") && !df.contains("git"));
    // No hardened Elixir images: official images, uid 1000, and a warning.
    assert_eq!(dhi.dockerfile, default.dockerfile);
    assert!(!dhi.plan.hardened);
    assert!(dhi
        .plan
        .warnings
        .iter()
        .any(|w| w.contains("no hardened Elixir images")));
    assert_eq!(
        run.plan.start_command.command,
        "elixir --sname web -S mix run --no-halt"
    );
}

#[test]
fn phoenix_release_snapshots() {
    let g = snapshot_variants!(
        "phoenix_release",
        Language::Elixir,
        "1.17.3-otp-27",
        &phoenix_release(),
        &[("Procfile", "web: _build/prod/rel/shop/bin/shop start\n")],
        &[]
    );
    let [default, _, _, run] = &g[..] else {
        unreachable!()
    };
    let df = &default.dockerfile;
    assert_order(
        df,
        &[
            "COPY mix.exs mix.lock ./",
            "COPY config/ config/",
            "RUN mix deps.get",
            "COPY . .",
            "RUN mix compile \\\n    && mix assets.deploy \\\n    && mix release\n",
        ],
    );
    // The release is the app; Mix is not needed (nor copied) to run it.
    assert!(df.contains("COPY --from=builder --chown=1000:1000 /build/_build/prod/rel/shop /app"));
    assert!(df.contains("PHX_SERVER=\"true\""));
    assert!(df.contains(r#"CMD ["sh","-c","bin/shop start"]"#), "{df}");
    assert!(!df.contains("/opt/mix /opt/mix"));
    assert_eq!(run.plan.start_command.command, "bin/shop start");
}

#[test]
fn phoenix_without_release_snapshots() {
    let g = snapshot_variants!(
        "phoenix_mix",
        Language::Elixir,
        "1.16.3",
        &phoenix_mix(),
        &[],
        &[("RUN_COMMAND", "mix phx.server --no-compile")]
    );
    let [default, ..] = &g[..] else {
        unreachable!()
    };
    let df = &default.dockerfile;
    assert!(df.contains(r#"CMD ["sh","-c","mix phx.server"]"#));
    // Git dependencies in mix.lock: Mix checks them with git at start.
    assert!(df.contains("apt-get install -y --no-install-recommends git"));
    assert!(!df.contains("PHX_SERVER"));
}

#[test]
fn umbrella_release_snapshots() {
    let g = snapshot_variants!(
        "umbrella",
        Language::Elixir,
        "1.18.4",
        &umbrella(),
        &[],
        &[("MIX_ENV", "staging")]
    );
    let [default, _, _, staging] = &g[..] else {
        unreachable!()
    };
    let df = &default.dockerfile;
    // Child manifests keep their paths (the original flattened them into ./apps/).
    assert_order(
        df,
        &[
            "COPY mix.exs mix.lock ./",
            "COPY apps/core/mix.exs apps/core/",
            "COPY apps/web/mix.exs apps/web/",
            "RUN mix deps.get",
        ],
    );
    // assets.deploy runs in the child app that defines it.
    assert!(df.contains("RUN mix compile \\\n    && mix cmd --app shop mix assets.deploy \\\n    && mix release\n"), "{df}");
    assert!(df.contains("/build/_build/prod/rel/platform /app"));
    assert!(df.contains(r#"CMD ["sh","-c","bin/platform start"]"#));
    let s = &staging.dockerfile;
    assert!(s.contains("MIX_ENV=\"staging\"") && s.contains("mix deps.get --only staging"));
    assert!(s.contains("/build/_build/staging/rel/platform /app"));
}

#[test]
fn empty_mix_env_and_build_command() {
    let g = generate(Language::Elixir, "1.18.4", &plain(), &[("MIX_ENV", "")]);
    assert!(!g.dockerfile.contains("MIX_ENV"), "{}", g.dockerfile);
    assert!(g
        .dockerfile
        .contains("RUN mix deps.get \\\n    && mix deps.compile\n"));
    // BUILD_COMMAND replaces compile/assets; the release is still assembled.
    let g = generate(
        Language::Elixir,
        "1.18.4",
        &phoenix_release(),
        &[("BUILD_COMMAND", "mix do compile, assets.deploy")],
    );
    assert_order(
        &g.dockerfile,
        &["RUN mix do compile, assets.deploy\n", "RUN mix release\n"],
    );
    assert!(!g.dockerfile.contains("mix compile"));
}
