//! `migetpacks`: turn an application's source folder into a production container image.

mod commands;
mod config;
mod exit;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Detect, plan and build container images from source folders.
#[derive(Parser, Debug)]
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
}

fn main() {
    let cli = Cli::parse();
    let env = config::env_map(&cli.config);
    let result = match cli.command {
        Some(Command::Detect { path, json }) => commands::detect::run(&env, path, json),
        Some(Command::Plan { path, json }) => commands::plan::run_plan(&env, path, json),
        Some(Command::Dockerfile { path, output }) => {
            commands::plan::run_dockerfile(&env, path, output)
        }
        None => Err(exit::Failure::usage("no command given; try `migetpacks --help`")),
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
