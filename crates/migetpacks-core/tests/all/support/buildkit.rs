//! A Dockerfile instruction splitter that follows BuildKit's parser (frontend/dockerfile/
//! parser), heredocs included, for the "no extra instruction" oracles: the property tests in
//! `hardening_props.rs` and `untrusted_repo.rs` (`tests/all/`), and the `pipeline` fuzz target (which
//! includes this file by path).
//!
//! What it reproduces:
//! - blank lines and comment lines (`#` after leading white space) between instructions are
//!   skipped;
//! - a line ending in `\` (trailing white space allowed) continues onto the next line; blank
//!   and comment lines inside a continuation are skipped, not ends of it;
//! - `RUN`, `COPY` and `ADD` lines holding `<<` are split into words as BuildKit's shell lexer
//!   does (quotes and escapes kept, `$NAME`/`${…}` expanded to nothing); each word matching
//!   `^\d*<<-?[^<]+$` whose name (quotes removed) is non-empty opens a heredoc, whose body is
//!   every following line up to a line equal to the name (leading tabs dropped for `<<-`).

#![allow(dead_code)]

/// One parsed instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// The keyword, upper-cased (`RUN`).
    pub keyword: String,
    /// The logical line, continuations joined.
    pub line: String,
    /// Names of the heredocs it opened.
    pub heredocs: Vec<String>,
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Strip a trailing continuation backslash: `(text, continues)`.
fn trim_continuation(line: &str) -> (String, bool) {
    let t = line.trim_end_matches([' ', '\t']);
    match t.strip_suffix('\\') {
        Some(rest) => (rest.to_string(), true),
        None => (line.to_string(), false),
    }
}

/// Split a line into words like BuildKit's lexer with raw quotes and raw escapes, expanding
/// every variable to nothing.
pub fn words(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut i = 0;
    // Skip a `$NAME`, `${…}` reference starting at chars[i] == '$'; returns the next index,
    // or None when the `$` is literal.
    let skip_var = |i: usize| -> Option<usize> {
        match chars.get(i + 1) {
            Some('{') => {
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '}' {
                    j += 1;
                }
                Some((j + 1).min(chars.len()))
            }
            Some(c) if c.is_ascii_alphanumeric() || *c == '_' => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                Some(j)
            }
            _ => None,
        }
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
                i += 1;
            }
            '\\' => {
                in_word = true;
                word.push('\\');
                if let Some(n) = chars.get(i + 1) {
                    word.push(*n);
                }
                i += 2;
            }
            '\'' => {
                in_word = true;
                word.push('\'');
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    word.push(chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    word.push('\'');
                    i += 1;
                }
            }
            '"' => {
                in_word = true;
                word.push('"');
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        word.push('\\');
                        word.push(chars[i + 1]);
                        i += 2;
                        continue;
                    }
                    if chars[i] == '$' {
                        if let Some(j) = skip_var(i) {
                            i = j;
                            continue;
                        }
                    }
                    word.push(chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    word.push('"');
                    i += 1;
                }
            }
            '$' => {
                in_word = true;
                match skip_var(i) {
                    Some(j) => i = j,
                    None => {
                        word.push('$');
                        i += 1;
                    }
                }
            }
            _ => {
                in_word = true;
                word.push(c);
                i += 1;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

/// Remove quotes and escapes from a word (BuildKit's `ProcessWord` without raw quotes).
fn unquote(word: &str) -> String {
    let mut out = String::new();
    let mut chars = word.chars();
    let mut single = false;
    let mut double = false;
    while let Some(c) = chars.next() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '\\' if !single => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// The heredocs a logical line opens: `(name, chomp)`.
pub fn heredocs(line: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for w in words(line) {
        let digits = w.chars().take_while(char::is_ascii_digit).count();
        let Some(rest) = w[digits..].strip_prefix("<<") else {
            continue;
        };
        let (chomp, rest) = match rest.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, rest),
        };
        if rest.is_empty() || rest.contains('<') {
            continue;
        }
        let name = unquote(rest);
        if !name.is_empty() {
            out.push((name, chomp));
        }
    }
    out
}

/// Split a Dockerfile into instructions the way BuildKit does.
pub fn instructions(dockerfile: &str) -> Vec<Instruction> {
    let lines: Vec<&str> = dockerfile.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let first = lines[i].trim_start();
        i += 1;
        if first.is_empty() || is_comment(first) {
            continue;
        }
        let (mut line, mut continues) = trim_continuation(first);
        while continues && i < lines.len() {
            let next = lines[i];
            i += 1;
            if is_comment(next) || next.trim().is_empty() {
                continue;
            }
            // Continuation lines keep their leading white space (BuildKit strips it only from
            // an instruction's first line).
            let (text, c) = trim_continuation(next);
            line.push_str(&text);
            continues = c;
        }
        let keyword = line
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let mut names = Vec::new();
        if matches!(keyword.as_str(), "RUN" | "COPY" | "ADD") && line.contains("<<") {
            for (name, chomp) in heredocs(&line) {
                while i < lines.len() {
                    let body = lines[i];
                    i += 1;
                    let candidate = if chomp {
                        body.trim_start_matches('\t')
                    } else {
                        body
                    };
                    if candidate == name {
                        break;
                    }
                }
                names.push(name);
            }
        }
        out.push(Instruction {
            keyword,
            line,
            heredocs: names,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_buildkit() {
        let df = "# syntax=docker/dockerfile:1\nFROM a AS builder\nRUN x \\\n\n# c\n    && y\nCOPY . /app\n";
        let ins = instructions(df);
        assert_eq!(ins.len(), 3);
        assert_eq!(ins[1].line, "RUN x     && y");
        // A heredoc swallows the instructions up to its terminator.
        let df = "FROM a\nRUN go build -o app <<'USER 1000'\nFROM b\nCOPY --from=0 /x /y\nUSER 1000\nCMD [\"x\"]\n";
        let ins = instructions(df);
        let kw: Vec<&str> = ins.iter().map(|i| i.keyword.as_str()).collect();
        assert_eq!(kw, ["FROM", "RUN", "CMD"]);
        assert_eq!(ins[1].heredocs, ["USER 1000"]);
        // Quoted, escaped or mid-word `<<` opens nothing; a variable before it vanishes.
        assert!(heredocs("RUN echo '<<X' \"<<Y\" \\<<Z a<<b <<'' ").is_empty());
        assert_eq!(heredocs("RUN echo $A<<EOF"), [("EOF".to_string(), false)]);
        assert_eq!(heredocs("RUN cat 3<<-\"E F\""), [("E F".to_string(), true)]);
    }
}
