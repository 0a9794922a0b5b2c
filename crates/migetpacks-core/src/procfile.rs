//! Procfile parsing (provisional; the output branch owns the final version).

use serde::Serialize;

/// A non-web process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Worker {
    /// Process name.
    pub name: String,
    /// Command.
    pub command: String,
}

/// Processes declared in a Procfile.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Processes {
    /// The web process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web: Option<String>,
    /// The release process.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release: Option<String>,
    /// Other processes, in file order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workers: Vec<Worker>,
}

/// A malformed Procfile line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Procfile line {line}: expected `name: command`")]
pub struct ProcfileError {
    /// 1-based line number.
    pub line: usize,
}

/// Parse a Procfile.
pub fn parse(text: &str) -> Result<Processes, ProcfileError> {
    let mut p = Processes::default();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let (name, cmd) = line.split_once(':').ok_or(ProcfileError { line: i + 1 })?;
        let cmd = cmd.trim().to_string();
        if !crate::settings::is_valid_name(name) {
            return Err(ProcfileError { line: i + 1 });
        }
        match name {
            "web" if p.web.is_none() && !cmd.is_empty() => p.web = Some(cmd),
            "release" if !cmd.is_empty() => p.release = Some(cmd),
            "web" | "release" => {}
            _ => p.workers.push(Worker {
                name: name.into(),
                command: cmd,
            }),
        }
    }
    Ok(p)
}
