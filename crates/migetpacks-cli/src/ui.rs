//! Console output in migetpacks' style: `-----> ` phase headers, indented info lines, and
//! colours only when stdout is a terminal.

//!
//! Every line goes through the masker (once the settings are known) and has its control
//! characters escaped: the tool's own lines carry repository text (file names, service names,
//! commands) and settings that may hold secrets.

use migetpacks_core::mask::{escape_controls, Masker};
use std::io::{IsTerminal, Write};
use std::sync::OnceLock;

/// Writes phase headers and info lines to stdout, errors to stderr.
pub struct Ui {
    color: bool,
    /// Everything goes to stderr (`--dry-run` keeps stdout for the argv).
    to_stderr: bool,
    masker: OnceLock<Masker>,
}

impl Ui {
    /// Colours when stdout is a terminal and `NO_COLOR` is unset.
    pub fn new(no_color: bool) -> Ui {
        Ui {
            color: !no_color && std::io::stdout().is_terminal(),
            to_stderr: false,
            masker: OnceLock::new(),
        }
    }

    /// A Ui that writes only to stderr.
    pub fn stderr_only(no_color: bool) -> Ui {
        Ui {
            color: !no_color && std::io::stderr().is_terminal(),
            to_stderr: true,
            masker: OnceLock::new(),
        }
    }

    /// Mask every later line with `masker` (set once, when the settings are parsed).
    pub fn set_masker(&self, masker: Masker) {
        let _ = self.masker.set(masker);
    }

    /// The text as it may be printed: secrets masked, control characters escaped.
    pub fn clean(&self, text: &str) -> String {
        let masked = match self.masker.get() {
            Some(m) => m.mask(text),
            None => text.to_string(),
        };
        escape_controls(&masked)
    }

    fn line(&self, text: String) {
        if self.to_stderr {
            eprintln!("{text}");
        } else {
            println!("{text}");
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// Blank line, then `-----> text`.
    pub fn header(&self, text: &str) {
        let text = self.clean(text);
        self.line(format!(
            "\n{}",
            self.paint("0;34", &format!("-----> {text}"))
        ));
    }

    /// Seven-space indented line.
    pub fn info(&self, text: &str) {
        self.line(format!("       {}", self.clean(text)));
    }

    /// Green `-----> text`.
    pub fn success(&self, text: &str) {
        self.line(self.paint("0;32", &format!("-----> {}", self.clean(text))));
    }

    /// Yellow `-----> text`.
    pub fn warn(&self, text: &str) {
        self.line(self.paint("1;33", &format!("-----> {}", self.clean(text))));
    }

    /// Red `-----> ERROR: text` on stderr.
    pub fn error(&self, text: &str) {
        let text = self.clean(text);
        eprintln!("{}", self.paint("0;31", &format!("-----> ERROR: {text}")));
    }

    /// Flush stdout (before a child process writes).
    pub fn flush(&self) {
        let _ = std::io::stdout().flush();
    }
}
