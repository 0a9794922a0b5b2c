//! migetpacks-core: the pure part of migetpacks-rs.
//!
//! Settings are parsed once from an environment map ([`settings::Settings`]), the source folder
//! is read through a bounded read-only view ([`source::SourceTree`]), and everything from
//! detection to the buildx argv is a pure function of those two. Nothing here spawns a process,
//! reads the process environment or touches the network.

#![warn(missing_docs)]

// Shared by the version sources of every provider (textual macro scope: defined before
// the modules).
/// Return the first source that yields a candidate.
macro_rules! first {
    ($($e:expr),+ $(,)?) => {{
        $( if let Some(c) = $e? { return Ok(Some(c)); } )+
        Ok(None)
    }};
}

/// A lazily compiled constant regex.
macro_rules! re {
    ($name:ident, $pat:expr) => {
        static $name: std::sync::LazyLock<regex::Regex> =
            std::sync::LazyLock::new(|| regex::Regex::new($pat).expect("constant regex is valid"));
    };
}

pub mod appjson;
pub mod buildx;
pub mod cache;
pub mod compose;
pub mod detect;
pub mod dockerignore;
pub mod error;
pub mod imageref;
pub mod images;
pub mod language;
pub mod mask;
pub mod mounts;
pub mod pipeline;
pub mod plan;
pub mod procfile;
pub mod providers;
pub mod render;
pub mod result;
pub mod settings;
pub mod source;
pub mod version;

pub use error::Error;
