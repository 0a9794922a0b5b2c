//! Exit codes and the one-line failure the CLI prints.
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | success (or a failure recorded in `RESULT_FILE`, as migetpacks does) |
//! | 1 | the build failed |
//! | 2 | invalid settings or command line |
//! | 3 | the source folder could not be read, or no language was detected |
//! | 4 | `docker` was not found |
//! | 5 | `docker buildx` is not available |
//! | 6 | the build engine did not answer |
//! | 130 | interrupted (SIGINT or SIGTERM): the buildx child is stopped, temporary files removed |

use migetpacks_core::Error;

/// A failure: one line for the user and an exit code.
#[derive(Debug)]
pub struct Failure {
    /// Exit code.
    pub code: i32,
    /// One-line message.
    pub message: String,
}

// The table above, as constants: every exit code the CLI uses is one of these.
/// The build failed (or an I/O step around it).
pub const BUILD: i32 = 1;
/// Invalid settings or command line.
pub const USAGE: i32 = 2;
/// Unreadable source or no language.
pub const SOURCE: i32 = 3;
/// `docker` was not found.
pub const NO_DOCKER: i32 = 4;
/// `docker buildx` is not available.
pub const NO_BUILDX: i32 = 5;
/// The build engine did not answer.
pub const NO_ENGINE: i32 = 6;
/// Interrupted by SIGINT or SIGTERM.
pub const INTERRUPTED: i32 = 130;

impl Failure {
    /// A usage error.
    pub fn usage(msg: impl Into<String>) -> Failure {
        Failure {
            code: USAGE,
            message: msg.into(),
        }
    }

    /// A failure with a given code.
    pub fn new(code: i32, msg: impl Into<String>) -> Failure {
        Failure {
            code,
            message: msg.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let code = match &e {
            Error::Settings(_) => USAGE,
            _ => SOURCE,
        };
        // One line, whatever the error text holds.
        Failure::new(code, e.to_string().replace('\n', " "))
    }
}
