//! Every migetpacks environment variable, also accepted as a `--flag`.
//!
//! A flag wins over the variable of the same name. The resulting map is what the core parses
//! into typed settings, so the CLI and the library read configuration the same way.

use migetpacks_core::settings::EnvMap;

macro_rules! config {
    ($( $(#[doc = $doc:literal])* $field:ident => $var:literal ),* $(,)?) => {
        /// Settings flags; each also reads the environment variable it names.
        #[derive(clap::Args, Debug, Default, Clone)]
        #[command(next_help_heading = "Settings (each flag also reads its environment variable)")]
        pub struct Config {
            $(
                $(#[doc = $doc])*
                #[arg(long, env = $var, global = true, hide_env_values = true, value_name = "VALUE")]
                pub $field: Option<String>,
            )*
        }

        impl Config {
            /// `(VARIABLE, value given on the command line or in the environment)`.
            pub fn pairs(&self) -> Vec<(&'static str, Option<&String>)> {
                vec![$(($var, self.$field.as_ref())),*]
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
    /// Node.js version override
    node_version => "NODE_VERSION",
    /// Bun version override
    bun_version => "BUN_VERSION",
    /// Deno version override
    deno_version => "DENO_VERSION",
    /// Ruby version override
    ruby_version => "RUBY_VERSION",
    /// Python version override
    python_version => "PYTHON_VERSION",
    /// Go version override
    go_version => "GO_VERSION",
    /// Rust toolchain override
    rustup_toolchain => "RUSTUP_TOOLCHAIN",
    /// PHP version override
    php_version => "PHP_VERSION",
    /// Java version override
    java_version => "JAVA_VERSION",
    /// .NET version override
    dotnet_version => "DOTNET_VERSION",
    /// Elixir version override
    elixir_version => "ELIXIR_VERSION",
    /// Scala version override
    scala_version => "SCALA_VERSION",
    /// Clojure version override
    clojure_version => "CLOJURE_VERSION",
    /// Kotlin version override
    kotlin_version => "KOTLIN_VERSION",
}

/// The environment map the core parses: the process environment with flags applied on top.
pub fn env_map(cfg: &Config) -> EnvMap {
    // Non-UTF-8 variables cannot be settings; they are skipped rather than crashing.
    let mut map: EnvMap = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .collect();
    for (var, value) in cfg.pairs() {
        if let Some(v) = value {
            map.insert(var.to_string(), v.clone());
        }
    }
    map
}
