//! Console output in migetpacks' style: `-----> ` phase headers, indented info lines, and
//! colours only when stdout is a terminal.

use std::io::{IsTerminal, Write};

/// Writes phase headers and info lines to stdout, errors to stderr.
pub struct Ui {
    color: bool,
}

impl Ui {
    /// Colours when stdout is a terminal and `NO_COLOR` is unset.
    pub fn new(no_color: bool) -> Ui {
        Ui {
            color: !no_color && std::io::stdout().is_terminal(),
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
        println!("\n{}", self.paint("0;34", &format!("-----> {text}")));
    }

    /// Seven-space indented line.
    pub fn info(&self, text: &str) {
        println!("       {text}");
    }

    /// Green `-----> text`.
    pub fn success(&self, text: &str) {
        println!("{}", self.paint("0;32", &format!("-----> {text}")));
    }

    /// Yellow `-----> text`.
    pub fn warn(&self, text: &str) {
        println!("{}", self.paint("1;33", &format!("-----> {text}")));
    }

    /// Red `-----> ERROR: text` on stderr.
    pub fn error(&self, text: &str) {
        eprintln!("{}", self.paint("0;31", &format!("-----> ERROR: {text}")));
    }

    /// Flush stdout (before a child process writes).
    pub fn flush(&self) {
        let _ = std::io::stdout().flush();
    }
}
