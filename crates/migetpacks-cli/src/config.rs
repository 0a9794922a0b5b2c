//! Every migetpacks environment variable, also accepted as a `--flag`.
//!
//! A flag wins over the variable of the same name. The resulting map is what the core parses
//! into typed settings, so the CLI and the library read configuration the same way.

use clap::{Arg, ArgMatches, Command};
use migetpacks_core::language::SPECS;
use migetpacks_core::settings::EnvMap;

const SETTINGS_HEADING: &str = "Settings (each flag also reads its environment variable)";

macro_rules! config {
    ($( $(#[doc = $doc:literal])* $field:ident => $var:literal ),* $(,)?) => {
        /// Settings flags; each also reads the environment variable it names.
        #[derive(clap::Args, Debug, Default, Clone)]
        #[command(next_help_heading = SETTINGS_HEADING)]
        pub struct Config {
            $(
                $(#[doc = $doc])*
                #[arg(long, env = $var, global = true, hide_env_values = true, value_name = "VALUE")]
                pub $field: Option<String>,
            )*
            /// The `*_VERSION` flags, one per language.
            #[command(flatten)]
            pub versions: VersionFlags,
        }

        impl Config {
            /// `(VARIABLE, value given on the command line or in the environment)`.
            pub fn pairs(&self) -> Vec<(&'static str, Option<&String>)> {
                let mut pairs = vec![$(($var, self.$field.as_ref())),*];
                pairs.extend(self.versions.0.iter().map(|(var, v)| (*var, Some(v))));
                pairs
            }
        }
    };
}

config! {
    /// Source folder [default: PATH argument, else current folder]
    source_dir => "SOURCE_DIR",
    /// Image to build, e.g. registry.example.com/app:v1 (`:local` loads instead of pushing)
    output_image => "OUTPUT_IMAGE",
    /// Sub-folder of the source to build (monorepos)
    project_path => "PROJECT_PATH",
    /// Force the language: an id (nodejs, python, …), display name or alias
    language => "LANGUAGE",
    /// Comma-separated buildpacks; the first is primary
    buildpacks => "BUILDPACKS",
    /// Replace the language's build step
    build_command => "BUILD_COMMAND",
    /// The web process command (wins over the Procfile)
    run_command => "RUN_COMMAND",
    /// Port the app listens on [default: 5000]
    port => "PORT",
    /// x86_64/amd64 or arm64/aarch64 [default: x86_64]
    arch => "ARCH",
    /// Use Docker Hardened Images (true/false)
    use_dhi => "USE_DHI",
    /// Also tag <repository>:latest (true/false)
    tag_latest => "TAG_LATEST",
    /// Push (true) or load into the engine (false) [default: push unless the tag is `local`]
    push_image => "PUSH_IMAGE",
    /// Build this Dockerfile (relative to the source folder)
    dockerfile_path => "DOCKERFILE_PATH",
    /// Build the services of this compose file (relative to the source folder)
    compose_file => "COMPOSE_FILE",
    /// Write the result JSON here
    result_file => "RESULT_FILE",
    /// JSON merged into the result file as `custom`
    custom_data => "CUSTOM_DATA",
    /// Print the generated Dockerfile (true/false)
    debug => "DEBUG",
    /// Registry cache ref, or a full buildx cache spec starting with `type=`
    cache_image => "CACHE_IMAGE",
    /// Cache export mode: min or max [default: min]
    cache_mode => "CACHE_MODE",
    /// Extra read-only cache sources (comma-separated refs, or one spec per line)
    cache_from => "CACHE_FROM",
    /// Talk to the cache registry over plain HTTP (true/false)
    cache_registry_insecure => "CACHE_REGISTRY_INSECURE",
    /// Ignore every cache import, still export (true/false)
    no_cache => "NO_CACHE",
    /// Turn on package-manager cache mounts (BuildKit state lives on this volume)
    build_cache_dir => "BUILD_CACHE_DIR",
    /// Prefix of cache-mount ids [default: default]
    cache_key => "CACHE_KEY",
    /// S3 bucket of the BuildKit cache
    s3_cache_bucket => "S3_CACHE_BUCKET",
    /// S3 endpoint URL of the BuildKit cache
    s3_cache_endpoint => "S3_CACHE_ENDPOINT",
    /// S3 region of the BuildKit cache [default: us-east-1]
    s3_cache_region => "S3_CACHE_REGION",
    /// Pull-through mirror for Docker Hub base images
    registry_mirror => "REGISTRY_MIRROR",
    /// Mirror for dhi.io base images
    dhi_mirror => "DHI_MIRROR",
    /// JSON object of build arguments (values never enter the Dockerfile)
    build_vars => "BUILD_VARS",
    /// Variables (globs allowed) whose values become builder-stage ENV, e.g. VITE_*,NODE_OPTIONS
    build_env => "BUILD_ENV",
    /// Names of BuildKit secrets taken from the environment and mounted in install steps
    build_secrets => "BUILD_SECRETS",
    /// `# syntax=` frontend of generated Dockerfiles; empty for none [default: docker/dockerfile:1]
    dockerfile_syntax => "DOCKERFILE_SYNTAX",
    /// buildx builder to use (docker, docker-container, kubernetes, remote …)
    buildx_builder => "BUILDX_BUILDER",
    /// host (default) or default (no --network flag)
    build_network => "BUILD_NETWORK",
    /// Node.js NODE_OPTIONS for the build [default: --max_old_space_size=2560]
    node_options => "NODE_OPTIONS",
    /// Elixir MIX_ENV [default: prod]
    mix_env => "MIX_ENV",
    /// Ruby bundle groups to skip [default: development test]
    bundle_without => "BUNDLE_WITHOUT",
    /// Rails environment for asset precompilation [default: production]
    rails_env => "RAILS_ENV",
    /// Go packages to build [default: .]
    go_install_package_spec => "GO_INSTALL_PACKAGE_SPEC",
    /// Go linker symbol set with -X
    go_linker_symbol => "GO_LINKER_SYMBOL",
    /// Value for GO_LINKER_SYMBOL
    go_linker_value => "GO_LINKER_VALUE",
    /// Extra go build flags
    go_build_flags => "GO_BUILD_FLAGS",
    /// Keep the Go toolchain in the image (true/false)
    go_install_tools_in_image => "GO_INSTALL_TOOLS_IN_IMAGE",
    /// Set GOPATH in the image (true/false)
    go_setup_gopath_in_image => "GO_SETUP_GOPATH_IN_IMAGE",
    /// sbt tasks [default: compile stage]
    sbt_tasks => "SBT_TASKS",
    /// sbt sub-project to stage
    sbt_project => "SBT_PROJECT",
    /// Run sbt clean first (true/false)
    sbt_clean => "SBT_CLEAN",
    /// Leiningen build task [default: uberjar]
    lein_build_task => "LEIN_BUILD_TASK",
    /// Node.js: serve this folder (after the build) as a static site with Caddy
    static_output_dir => "STATIC_OUTPUT_DIR",
}

/// One flag per language version variable (`--node-version`, `--rustup-toolchain`, …),
/// derived from the language table so a new language gets its flag without code here.
#[derive(Debug, Default, Clone)]
pub struct VersionFlags(Vec<(&'static str, String)>);

/// `(language display name, version variable)` of every language with a version.
fn version_vars() -> impl Iterator<Item = (&'static str, &'static str)> {
    SPECS
        .iter()
        .filter_map(|s| s.version_var.map(|v| (s.display_name, v)))
}

/// The flag of a variable: `NODE_VERSION` → `node-version`.
pub fn flag_name(var: &str) -> String {
    var.to_ascii_lowercase().replace('_', "-")
}

impl clap::FromArgMatches for VersionFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let values = version_vars()
            .filter_map(|(_, var)| Some((var, matches.get_one::<String>(var)?.clone())))
            .collect();
        Ok(VersionFlags(values))
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for VersionFlags {
    fn augment_args(cmd: Command) -> Command {
        version_vars().fold(cmd, |cmd, (name, var)| {
            cmd.arg(
                Arg::new(var)
                    .long(flag_name(var))
                    .env(var)
                    .global(true)
                    .hide_env_values(true)
                    .value_name("VALUE")
                    .help(format!("{name} version override"))
                    .help_heading(SETTINGS_HEADING),
            )
        })
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}

/// The environment map the core parses: the process environment with the command-line flags
/// on top. A flag is written under its `MIGETPACKS_` name, which the core takes over both the
/// bare and the prefixed variable, so a flag always wins and is never mistaken for a shell's
/// `LANGUAGE` locale or `DEBUG` pattern. Values clap took from the environment are already in
/// the map under their own names.
pub fn env_map(cfg: &Config, matches: &ArgMatches) -> EnvMap {
    // Non-UTF-8 variables cannot be settings; they are skipped rather than crashing.
    let process: EnvMap = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    with_flags(process, cfg, matches)
}

fn with_flags(mut map: EnvMap, cfg: &Config, matches: &ArgMatches) -> EnvMap {
    for (var, value) in cfg.pairs() {
        if let Some(v) = value.filter(|_| from_command_line(matches, var)) {
            map.insert(
                format!("{}{var}", migetpacks_core::settings::PREFIX),
                v.clone(),
            );
        }
    }
    map
}

/// True when the setting `var` was given as a flag (on the command or its subcommand).
fn from_command_line(matches: &ArgMatches, var: &str) -> bool {
    let id = arg_id(var);
    let here = matches!(
        matches
            .try_get_raw(&id)
            .ok()
            .flatten()
            .and(matches.value_source(&id)),
        Some(clap::parser::ValueSource::CommandLine)
    );
    here || matches
        .subcommand()
        .is_some_and(|(_, sub)| from_command_line(sub, var))
}

/// The clap id of a setting: the version flags use the variable, the others the field name.
fn arg_id(var: &str) -> String {
    if version_vars().any(|(_, v)| v == var) {
        var.to_string()
    } else {
        var.to_ascii_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Args;
    use migetpacks_core::language::Language;
    use migetpacks_core::settings::Settings;

    fn parse(args: &[&str], env: &[(&str, &str)]) -> Settings {
        let cmd = Config::augment_args(Command::new("t")).subcommand(Command::new("detect"));
        let m = cmd.try_get_matches_from(args).unwrap();
        let cfg = <Config as clap::FromArgMatches>::from_arg_matches(&m).unwrap();
        let process = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_env(&with_flags(process, &cfg, &m)).unwrap()
    }

    #[test]
    fn a_flag_wins_over_bare_and_prefixed_variables() {
        let env = [("LANGUAGE", "en_US:en"), ("MIGETPACKS_PORT", "9000")];
        let s = parse(&["t", "--language", "ruby", "--port", "7000"], &env);
        assert_eq!(s.language, Some(Language::Ruby));
        assert_eq!(s.port, 7000);
        assert!(s.notes.is_empty(), "{:?}", s.notes);
        // After the subcommand too (global flags), and for the version flags.
        let s = parse(
            &["t", "detect", "--debug", "true", "--node-version", "20"],
            &[("DEBUG", "express:*"), ("MIGETPACKS_NODE_VERSION", "18")],
        );
        assert!(s.debug);
        assert_eq!(s.version_overrides.get(&Language::Nodejs).unwrap(), "20");
        // Without flags the environment decides: the locale is ignored with a note.
        let s = parse(&["t"], &env);
        assert_eq!((s.language, s.port), (None, 9000));
        assert_eq!(s.notes.len(), 1);
    }

    #[test]
    fn every_language_with_a_version_has_a_flag_reading_its_variable() {
        let cmd = Config::augment_args(Command::new("t"));
        for lang in Language::ALL.into_iter().filter(|l| l.is_generated()) {
            let var = lang
                .version_var()
                .expect("generated languages have a version");
            let arg = cmd
                .get_arguments()
                .find(|a| a.get_long() == Some(flag_name(var).as_str()))
                .unwrap_or_else(|| panic!("no --{} flag for {lang}", flag_name(var)));
            assert_eq!(arg.get_env().and_then(|e| e.to_str()), Some(var));
        }
        let m = cmd
            .try_get_matches_from(["t", "--node-version", "20", "--rustup-toolchain", "1.80"])
            .unwrap();
        let cfg = <Config as clap::FromArgMatches>::from_arg_matches(&m).unwrap();
        let pairs: Vec<_> = cfg
            .pairs()
            .into_iter()
            .filter(|(_, v)| v.is_some())
            .collect();
        assert!(pairs.contains(&("NODE_VERSION", Some(&"20".to_string()))));
        assert!(pairs.contains(&("RUSTUP_TOOLCHAIN", Some(&"1.80".to_string()))));
    }
}
