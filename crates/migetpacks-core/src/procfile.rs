//! `Procfile` parsing.
//!
//! Each line is `<name>: <command>`, the name `[A-Za-z_][A-Za-z0-9_]*`. Blank lines and lines
//! whose first non-blank character is `#` are skipped. Unlike migetpacks, which ignored lines
//! it could not read (so `my-worker: …` silently vanished), every other line is an error that
//! names `Procfile` and the line number. Windows line ends (`\r\n`) and trailing whitespace are
//! tolerated.
//!
//! Process roles, as in migetpacks:
//! - the first `web:` line is the web process (later `web:` lines are ignored);
//! - `release:` is the release command (the last one wins);
//! - every other name is a worker, in file order (duplicates kept);
//! - without a `web:` line, the first worker becomes the web process *and* stays in `workers`
//!   (compatibility: deployers read `web` for the container command). A `release:` line is never
//!   promoted to web: running migrations as the web process is never what was meant.

use crate::source::{SourceError, SourceTree};
use serde::{Deserialize, Serialize};

/// A Procfile problem. Every message names `Procfile` (and the line, for syntax errors).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProcfileError {
    /// A line that is neither blank, a comment, nor `name: command`.
    #[error("Procfile line {line}: {reason}")]
    Syntax {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The file could not be read (the message names `Procfile`).
    #[error(transparent)]
    Read(#[from] SourceError),
}

/// One worker process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Worker {
    /// Process type (`worker`, `clock`, …).
    pub name: String,
    /// Command line.
    pub command: String,
}

/// The processes of an app. Empty parts are omitted from JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Processes {
    /// Web process command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub web: Option<String>,
    /// Release-phase command (e.g. database migrations).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub release: Option<String>,
    /// Other processes, in Procfile order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workers: Vec<Worker>,
    /// The Procfile process type `web` came from (`web`, or the worker promoted to web).
    /// Not part of the JSON; the console shows it.
    #[serde(skip)]
    pub web_source: Option<String>,
}

impl Processes {
    /// True when there is no process at all.
    pub fn is_empty(&self) -> bool {
        self.web.is_none() && self.release.is_none() && self.workers.is_empty()
    }
}

/// True for `[A-Za-z_][A-Za-z0-9_]*`.
fn valid_name(name: &str) -> bool {
    crate::settings::is_valid_name(name)
}

/// Parse Procfile text.
///
/// ```
/// use migetpacks_core::procfile::parse;
/// let p = parse("web: bundle exec puma\r\nworker: bin/jobs  \n# note\nrelease: rake db:migrate\n").unwrap();
/// assert_eq!(p.web.as_deref(), Some("bundle exec puma"));
/// assert_eq!(p.workers[0].command, "bin/jobs");
/// assert_eq!(p.release.as_deref(), Some("rake db:migrate"));
/// assert!(parse("my-worker: x").unwrap_err().to_string().starts_with("Procfile line 1:"));
/// ```
pub fn parse(text: &str) -> Result<Processes, ProcfileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Processes::default();
    for (idx, raw) in text.split('\n').enumerate() {
        let line_no = idx + 1;
        let syntax = |reason: String| ProcfileError::Syntax {
            line: line_no,
            reason,
        };
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(c) = line.chars().find(|c| c.is_control() && *c != '\t') {
            return Err(syntax(format!("contains the control character {c:?}")));
        }
        if trimmed.len() != line.len() {
            return Err(syntax(
                "leading whitespace; a process line starts with its name (`web: <command>`)".into(),
            ));
        }
        let Some((name, command)) = line.split_once(':') else {
            return Err(syntax(format!(
                "expected `<name>: <command>`, found {line:?}"
            )));
        };
        if !valid_name(name) {
            return Err(syntax(format!(
                "process name {name:?} must be letters, digits and '_' (not starting with a digit)"
            )));
        }
        let command = command.trim_start();
        if command.is_empty() {
            return Err(syntax(format!("process {name:?} has an empty command")));
        }
        match name {
            "web" => {
                if p.web_source.as_deref() != Some("web") {
                    p.web = Some(command.to_string());
                    p.web_source = Some("web".to_string());
                }
            }
            "release" => p.release = Some(command.to_string()),
            _ => p.workers.push(Worker {
                name: name.to_string(),
                command: command.to_string(),
            }),
        }
    }
    if p.web.is_none() {
        if let Some(first) = p.workers.first() {
            p.web = Some(first.command.clone());
            p.web_source = Some(first.name.clone());
        }
    }
    Ok(p)
}

/// Read and parse `<tree>/Procfile`. `Ok(None)` when there is no Procfile.
pub fn from_source(tree: &SourceTree) -> Result<Option<Processes>, ProcfileError> {
    match tree.read("Procfile")? {
        None => Ok(None),
        Some(text) => parse(&text).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn spec_example() {
        let p = parse(
            "web: bundle exec puma -C config/puma.rb\nworker: bundle exec ./bin/jobs\nrelease: bin/rails db:migrate",
        )
        .unwrap();
        assert_eq!(p.web.as_deref(), Some("bundle exec puma -C config/puma.rb"));
        assert_eq!(p.release.as_deref(), Some("bin/rails db:migrate"));
        assert_eq!(
            p.workers,
            vec![Worker {
                name: "worker".into(),
                command: "bundle exec ./bin/jobs".into()
            }]
        );
        assert_eq!(p.web_source.as_deref(), Some("web"));
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"web":"bundle exec puma -C config/puma.rb","release":"bin/rails db:migrate","workers":[{"name":"worker","command":"bundle exec ./bin/jobs"}]}"#
        );
    }

    #[test]
    fn first_web_wins_last_release_wins() {
        let p = parse("web: one\nrelease: r1\nweb: two\nrelease: r2\n").unwrap();
        assert_eq!(p.web.as_deref(), Some("one"));
        assert_eq!(p.release.as_deref(), Some("r2"));
        assert!(p.workers.is_empty());
    }

    #[test]
    fn first_worker_becomes_web_and_stays_a_worker() {
        let p =
            parse("release: migrate\nclock: bin/clock\nworker: bin/w\nworker: bin/w2\n").unwrap();
        assert_eq!(p.web.as_deref(), Some("bin/clock"));
        assert_eq!(p.web_source.as_deref(), Some("clock"));
        let names: Vec<_> = p.workers.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, ["clock", "worker", "worker"]);
        // release alone is never promoted to web.
        let p = parse("release: migrate\n").unwrap();
        assert_eq!(p.web, None);
        assert_eq!(p.release.as_deref(), Some("migrate"));
    }

    #[test]
    fn crlf_comments_blank_lines_and_whitespace() {
        let p = parse("\u{feff}# comment\r\n\r\n   \r\n  # indented comment\r\nweb:\tnode server.js \t\r\nw_2:x").unwrap();
        assert_eq!(p.web.as_deref(), Some("node server.js"));
        assert_eq!(p.workers[0].name, "w_2");
        assert_eq!(p.workers[0].command, "x");
        // Commands keep inner colons and spacing.
        let p = parse("web: a:b  c").unwrap();
        assert_eq!(p.web.as_deref(), Some("a:b  c"));
    }

    #[test]
    fn empty_and_comment_only_files() {
        assert!(parse("").unwrap().is_empty());
        assert!(parse("# nothing\n\n").unwrap().is_empty());
        assert_eq!(serde_json::to_string(&parse("").unwrap()).unwrap(), "{}");
    }

    #[test]
    fn malformed_lines_are_errors_with_line_numbers() {
        assert_eq!(
            err("web: ok\nmy-worker: x"),
            "Procfile line 2: process name \"my-worker\" must be letters, digits and '_' (not starting with a digit)"
        );
        assert!(err("web: a\n\nweb.2: b").starts_with("Procfile line 3: process name \"web.2\""));
        assert!(err("1web: a").contains("\"1web\""));
        assert!(err("just text").starts_with("Procfile line 1: expected `<name>: <command>`"));
        assert!(err("  web: a").contains("leading whitespace"));
        assert_eq!(
            err("web:   \n"),
            "Procfile line 1: process \"web\" has an empty command"
        );
        assert!(err("worker:").contains("empty command"));
        assert!(err(": cmd").contains("process name \"\""));
        assert!(err("web: a\u{7}b").contains("control character"));
    }

    #[test]
    fn reads_through_source_tree() {
        let t = SourceTree::in_memory([("Procfile", "web: x\n")]);
        assert_eq!(from_source(&t).unwrap().unwrap().web.as_deref(), Some("x"));
        let t = SourceTree::in_memory([("app.py", "")]);
        assert_eq!(from_source(&t).unwrap(), None);
        let t = SourceTree::in_memory([("Procfile", b"web: \xff".as_slice())]);
        assert!(from_source(&t)
            .unwrap_err()
            .to_string()
            .starts_with("Procfile:"));
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,200}") {
            let _ = parse(&s);
        }
    }
}
