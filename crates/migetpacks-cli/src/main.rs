//! `migetpacks`: turn an application's source folder into a production container image.

mod commands;
mod config;
mod exit;
mod runner;
mod ui;

use clap::{CommandFactory, FromArgMatches, Subcommand};
use std::path::PathBuf;

/// Detect, plan and build container images from source folders.
#[derive(clap::Parser, Debug)]
#[command(name = "migetpacks", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    config: config::Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Detect the language, version and package manager of a source folder.
    Detect {
        /// Source folder [default: SOURCE_DIR, else the current folder]
        path: Option<PathBuf>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Show the build plan (images, steps, cache mounts, start command).
    Plan {
        /// Source folder [default: SOURCE_DIR, else the current folder]
        path: Option<PathBuf>,
        /// Print the plan as JSON (with the rendered Dockerfile).
        #[arg(long)]
        json: bool,
    },
    /// Print the generated Dockerfile.
    Dockerfile {
        /// Source folder [default: SOURCE_DIR, else the current folder]
        path: Option<PathBuf>,
        /// Write it to this file instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Print the buildx cache flags for the current settings.
    CacheFlags {
        /// Print a JSON array instead of one argv element per line.
        #[arg(long)]
        json: bool,
    },
    /// Build the image: detect, generate, run `docker buildx build`, write the result file.
    /// This is the default command.
    Build {
        /// Source folder [default: SOURCE_DIR, else the current folder]
        path: Option<PathBuf>,
        /// Print the buildx argv as JSON (and where the Dockerfile was written); run nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print a JSON Schema.
    Schema {
        /// Which document.
        #[arg(value_enum)]
        what: SchemaKind,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum SchemaKind {
    /// The result file (`RESULT_FILE`).
    Result,
}

fn main() {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let env = config::env_map(&cli.config, &matches);
    let ui = ui::Ui::new(env.contains_key("NO_COLOR"));
    let command = cli.command.unwrap_or(Command::Build {
        path: None,
        dry_run: false,
    });
    let result = match command {
        Command::Build { path, dry_run } => {
            runner::install_signal_handler();
            let ui = if dry_run {
                ui::Ui::stderr_only(env.contains_key("NO_COLOR"))
            } else {
                ui
            };
            let code = commands::build::run(&env, commands::build::Options { path, dry_run }, &ui);
            std::process::exit(code)
        }
        Command::Detect { path, json } => commands::detect::run(&env, path, json),
        Command::Plan { path, json } => commands::plan::run_plan(&env, path, json),
        Command::Dockerfile { path, output } => commands::plan::run_dockerfile(&env, path, output),
        Command::CacheFlags { json } => migetpacks_core::settings::Settings::from_env(&env)
            .map(|s| commands::cache_flags::run(&s, json))
            .map_err(|e| exit::Failure::from(migetpacks_core::Error::from(e))),
        Command::Schema {
            what: SchemaKind::Result,
        } => Ok(format!(
            "{}\n",
            serde_json::to_string_pretty(&migetpacks_core::result::result_schema())
                .unwrap_or_default()
        )),
    };
    match result {
        Ok(out) => {
            print!("{out}");
        }
        Err(f) => {
            eprintln!("error: {}", f.message);
            std::process::exit(f.code);
        }
    }
}
