//! The integration tests of migetpacks-core, in one test binary (one link of the crate per
//! edit instead of one per file). Each file is a module; shared helpers are in [`support`].
//! Snapshots stay in `tests/snapshots/` under the names they had when every file was its own
//! binary (`<file>__<name>.snap`).

#[macro_use]
mod support;

mod bad_inputs;
mod cache_roundtrip;
mod detect_fixtures;
mod generate_fixtures;
mod hardening_props;
mod multi_buildpack;
mod providers_apps;
mod providers_bun;
mod providers_clojure;
mod providers_deno;
mod providers_dotnet;
mod providers_elixir;
mod providers_go;
mod providers_java;
mod providers_php;
mod providers_ruby;
mod providers_rust;
mod providers_scala;
mod untrusted_repo;
