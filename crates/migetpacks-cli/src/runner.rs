//! Run external commands (program + argv, never a shell string), stream their output line by
//! line with secrets masked, and stop them on Ctrl-C/SIGTERM.

use crate::exit::Failure;
use migetpacks_core::mask::Masker;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Set by the signal handler before it kills the child: the streaming thread then waits for
/// the handler's exit instead of treating the killed child as a failed build (which, with
/// `RESULT_FILE`, would exit 0 before the handler's exit 130).
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Lines BuildKit prints that say nothing useful to the user.
const NOISE: [&str; 2] = [
    "WARNING: current commit information was not captured by the build",
    "warnings found (use docker --debug to expand)",
];

/// BuildKit reports a registry cache that does not exist yet, as on every first build, as
/// `#N ERROR: failed to configure registry cache importer: <ref>: not found`. The build goes
/// on; say what it means instead of an error.
fn no_cache_yet(line: &str) -> Option<String> {
    let (step, rest) = line.split_once(" ERROR: failed to configure registry cache importer: ")?;
    let reference = rest.strip_suffix(": not found")?;
    Some(format!(
        "{step} no cache yet (first build): nothing to import from {reference}"
    ))
}

/// What an interrupted run must clean up.
#[derive(Default)]
struct Cleanup {
    child: Option<Arc<duct::ReaderHandle>>,
    temp: Vec<PathBuf>,
}

fn cleanup() -> &'static Mutex<Cleanup> {
    static C: OnceLock<Mutex<Cleanup>> = OnceLock::new();
    C.get_or_init(|| Mutex::new(Cleanup::default()))
}

/// Install the Ctrl-C/SIGTERM handler: kill the running child, remove temporary folders,
/// exit 130.
pub fn install_signal_handler() {
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        if let Ok(mut c) = cleanup().lock() {
            if let Some(child) = c.child.take() {
                let _ = child.kill();
            }
            for t in c.temp.drain(..) {
                let _ = std::fs::remove_dir_all(t);
            }
        }
        eprintln!("\ninterrupted: build stopped, temporary files removed");
        std::process::exit(crate::exit::INTERRUPTED);
    });
}

/// Register a temporary folder to delete if the run is interrupted.
pub fn register_temp(path: PathBuf) {
    if let Ok(mut c) = cleanup().lock() {
        c.temp.push(path);
    }
}

/// Forget a temporary folder (it was removed normally).
pub fn unregister_temp(path: &PathBuf) {
    if let Ok(mut c) = cleanup().lock() {
        c.temp.retain(|p| p != path);
    }
}

/// How a streamed command ended.
pub struct Outcome {
    /// Exit status (`-1` when killed by a signal).
    pub status: i32,
    /// The last lines of output, masked.
    pub tail: Vec<String>,
}

/// Run `program args…` with extra environment, streaming merged stdout+stderr through the
/// masker, each line indented by seven spaces. Bytes that are not UTF-8 pass through as they are.
pub fn stream(
    program: &str,
    args: &[String],
    env: &[(String, String)],
    masker: &Masker,
) -> Result<Outcome, Failure> {
    let mut expr = duct::cmd(program, args).stderr_to_stdout().unchecked();
    for (k, v) in env {
        expr = expr.env(k, v);
    }
    let handle =
        Arc::new(expr.reader().map_err(|e| {
            Failure::new(crate::exit::BUILD, format!("cannot start {program}: {e}"))
        })?);
    if let Ok(mut c) = cleanup().lock() {
        c.child = Some(handle.clone());
    }
    let mut tail: VecDeque<String> = VecDeque::with_capacity(21);
    let stdout = std::io::stdout();
    let mut reader = BufReader::new(&*handle);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(Failure::new(
                    crate::exit::BUILD,
                    format!("reading {program} output: {e}"),
                ))
            }
        }
        while matches!(buf.last(), Some(b'\n' | b'\r')) {
            buf.pop();
        }
        let mut masked = masker.mask_bytes(&buf);
        let mut text = String::from_utf8_lossy(&masked).into_owned();
        if NOISE.iter().any(|n| text.contains(n)) {
            continue;
        }
        if let Some(line) = no_cache_yet(&text) {
            masked = line.clone().into_bytes();
            text = line;
        }
        let mut out = stdout.lock();
        let _ = out.write_all(b"       ");
        let _ = out.write_all(&masked);
        let _ = out.write_all(b"\n");
        let _ = out.flush();
        if tail.len() == 20 {
            tail.pop_front();
        }
        tail.push_back(text);
    }
    if INTERRUPTED.load(Ordering::SeqCst) {
        // The handler killed the child and is removing temporary folders; it exits 130.
        loop {
            std::thread::park();
        }
    }
    let status = match handle.try_wait() {
        Ok(Some(o)) => o.status.code().unwrap_or(-1),
        Ok(None) => -1,
        Err(e) => {
            return Err(Failure::new(
                crate::exit::BUILD,
                format!("waiting for {program}: {e}"),
            ))
        }
    };
    if let Ok(mut c) = cleanup().lock() {
        c.child = None;
    }
    Ok(Outcome {
        status,
        tail: tail.into_iter().collect(),
    })
}

/// Run a short command and capture its stdout (stderr on failure), with no streaming.
pub fn capture(program: &str, args: &[&str]) -> Result<String, String> {
    let out = duct::cmd(program, args)
        .stdout_capture()
        .stderr_capture()
        .unchecked()
        .run()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(err
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("failed")
            .trim()
            .to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::no_cache_yet;

    #[test]
    fn a_missing_registry_cache_is_no_error() {
        assert_eq!(
            no_cache_yet(
                "#6 ERROR: failed to configure registry cache importer: r.io/a:c: not found"
            )
            .as_deref(),
            Some("#6 no cache yet (first build): nothing to import from r.io/a:c")
        );
        // Any other importer failure is shown as BuildKit printed it.
        assert_eq!(
            no_cache_yet(
                "#6 ERROR: failed to configure registry cache importer: r.io/a:c: unauthorized"
            ),
            None
        );
        assert_eq!(no_cache_yet("#6 DONE 0.1s"), None);
    }
}
