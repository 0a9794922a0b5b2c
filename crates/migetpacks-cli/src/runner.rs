//! Run external commands (program + argv, never a shell string), stream their output line by
//! line with secrets masked and control characters escaped, and stop them on Ctrl-C/SIGTERM.
//!
//! Every command gets an environment built on purpose (`buildx::docker_env` plus the build-arg
//! values), never the inherited one. The streamed child runs in its own process group, so an
//! interruption reaches everything it started (the buildx plugin, credential helpers): the
//! group gets SIGTERM, then SIGKILL after [`GRACE`].

use crate::exit::Failure;
use migetpacks_core::mask::{escape_control_bytes, Masker};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Set by the signal handler before it stops the child: the streaming thread then waits for
/// the handler's exit instead of treating the killed child as a failed build (which, with
/// `RESULT_FILE`, would exit 0 before the handler's exit 130).
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// How long the child's process group has to stop after SIGTERM before it gets SIGKILL.
pub const GRACE: Duration = Duration::from_secs(5);

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
    /// The child's process group id (its pid: it leads its own group).
    group: Option<i32>,
    temp: Vec<PathBuf>,
    /// `RESULT_FILE` and the document to write there when interrupted.
    result: Option<(PathBuf, String)>,
}

fn cleanup() -> &'static Mutex<Cleanup> {
    static C: OnceLock<Mutex<Cleanup>> = OnceLock::new();
    C.get_or_init(|| Mutex::new(Cleanup::default()))
}

/// Install the Ctrl-C/SIGTERM handler: stop the running child's process group, write the
/// result file with status `interrupted`, remove temporary folders, exit 130.
pub fn install_signal_handler() {
    let _ = ctrlc::set_handler(|| {
        INTERRUPTED.store(true, Ordering::SeqCst);
        let (child, group, temp, result) = match cleanup().lock() {
            Ok(mut c) => (
                c.child.take(),
                c.group.take(),
                std::mem::take(&mut c.temp),
                c.result.take(),
            ),
            Err(_) => (None, None, Vec::new(), None),
        };
        if let Some(pgid) = group {
            stop_group(pgid, child.as_deref());
        } else if let Some(child) = child {
            let _ = child.kill();
        }
        for t in temp {
            let _ = std::fs::remove_dir_all(t);
        }
        if let Some((path, text)) = result {
            let _ = write_atomic(&path, &text);
        }
        eprintln!("\ninterrupted: build stopped, temporary files removed");
        std::process::exit(crate::exit::INTERRUPTED);
    });
}

/// SIGTERM to the whole process group, then SIGKILL once [`GRACE`] has passed.
fn stop_group(pgid: i32, child: Option<&duct::ReaderHandle>) {
    // SAFETY: kill(2) with a negative pid signals a process group; no memory is involved.
    let signal = |sig: i32| unsafe { libc::kill(-pgid, sig) };
    if signal(libc::SIGTERM) != 0 {
        return;
    }
    let deadline = Instant::now() + GRACE;
    loop {
        if let Some(c) = child {
            // Reap the direct child, so that a zombie does not keep the group alive.
            let _ = c.try_wait();
        }
        if signal(0) != 0 {
            return;
        }
        if Instant::now() >= deadline {
            signal(libc::SIGKILL);
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
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

/// The result document to write to `path` if the run is interrupted (`None`: none).
pub fn register_interrupted_result(result: Option<(PathBuf, String)>) {
    if let Ok(mut c) = cleanup().lock() {
        c.result = result;
    }
}

/// Write `text` to `path` through a temporary file in the same folder and a rename, so a
/// reader never sees a half-written file and two writers never interleave.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d.to_path_buf()
        }
        None => PathBuf::from("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".migetpacks-result-")
        .tempfile_in(&dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// How a streamed command ended.
pub struct Outcome {
    /// Exit status (`-1` when killed by a signal).
    pub status: i32,
    /// The last lines of output, masked.
    pub tail: Vec<String>,
}

/// Run `program args…` with exactly the environment `env`, in its own process group,
/// streaming merged stdout+stderr through the masker, each line indented by seven spaces and
/// its control characters escaped. Bytes that are not UTF-8 pass through as they are.
pub fn stream(
    program: &str,
    args: &[String],
    env: &[(String, String)],
    masker: &Masker,
) -> Result<Outcome, Failure> {
    let expr = duct::cmd(program, args)
        .full_env(env.iter().cloned())
        .stdin_null()
        .stderr_to_stdout()
        .unchecked()
        .before_spawn(|cmd| {
            cmd.process_group(0);
            Ok(())
        });
    let handle =
        Arc::new(expr.reader().map_err(|e| {
            Failure::new(crate::exit::BUILD, format!("cannot start {program}: {e}"))
        })?);
    if let Ok(mut c) = cleanup().lock() {
        c.child = Some(handle.clone());
        c.group = handle.pids().first().map(|p| *p as i32);
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
        let mut masked = escape_control_bytes(&masker.mask_bytes(&buf));
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
        // The handler is stopping the child and removing temporary folders; it exits 130.
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
        c.group = None;
    }
    Ok(Outcome {
        status,
        tail: tail.into_iter().collect(),
    })
}

/// Run a short command with exactly the environment `env` and capture its stdout (stderr on
/// failure), with no streaming.
pub fn capture(program: &str, args: &[&str], env: &[(String, String)]) -> Result<String, String> {
    let out = duct::cmd(program, args)
        .full_env(env.iter().cloned())
        .stdin_null()
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
