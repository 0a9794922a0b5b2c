//! Exit codes and the one-line failure the CLI prints.
//!
//! | code | meaning |
//! |------|---------|
//! | 0 | success (or a failure recorded in `RESULT_FILE`, as migetpacks does) |
//! | 1 | an internal failure (temporary folder, result file, starting docker) |
//! | 2 | invalid settings or command line |
//! | 3 | the source folder could not be read, or no language was detected |
//! | 4 | `docker` was not found |
//! | 5 | `docker buildx` is not available |
//! | 6 | the build engine did not answer |
//! | 7 | the build failed (buildx's own status is in the error line and the result file) |
//! | 130 | interrupted (SIGINT or SIGTERM): the buildx process group is stopped, temporary files removed |

use migetpacks_core::Error;

/// A failure: one line for the user and an exit code.
#[derive(Debug)]
pub struct Failure {
    /// Exit code.
    pub code: i32,
    /// One-line message.
    pub message: String,
    /// For a failed build: buildx's own exit status (kept in the result file).
    pub docker_status: Option<i32>,
}

/// Invalid settings or command line.
pub const USAGE: i32 = 2;
/// Unreadable source or no language.
pub const SOURCE: i32 = 3;
/// The build itself failed (buildx exited non-zero).
pub const BUILD_FAILED: i32 = 7;

impl Failure {
    /// A usage error.
    pub fn usage(msg: impl Into<String>) -> Failure {
        Failure {
            code: USAGE,
            message: msg.into(),
            docker_status: None,
        }
    }

    /// A failure with a given code.
    pub fn new(code: i32, msg: impl Into<String>) -> Failure {
        Failure {
            code,
            message: msg.into(),
            docker_status: None,
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
