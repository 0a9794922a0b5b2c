//! Words from the repository on Dockerfile lines: the one place that quotes and validates
//! them, used by every provider and by the renderer.
//!
//! The repository is hostile (docs/security.md): a go.mod module path, a composer.json key, a
//! project file or folder name may hold `<<'USER 1000'` (a BuildKit heredoc that swallows the
//! following instructions), `$(…)`, backticks or `;`. Names written into `RUN` lines go through
//! [`sh`] (shell-quoted when not plainly safe) or [`name`] (a tight character set); the
//! renderer then refuses any `RUN` or `COPY` line that would still open a heredoc
//! ([`opens_heredoc`]) and any `COPY` path BuildKit would read as a flag, a variable or a
//! heredoc ([`copy_path_problem`]).

use std::borrow::Cow;

/// Quote a word for a POSIX shell: unchanged when it holds only characters no shell treats
/// specially (`[A-Za-z0-9_@%+=:,./-]`), else single-quoted. A quoted word cannot open a
/// heredoc, expand a variable or end the command.
///
/// ```
/// use migetpacks_core::words::{opens_heredoc, sh};
/// assert_eq!(sh("src/App.csproj"), "src/App.csproj");
/// assert!(!opens_heredoc(&sh("<<'USER 1000'")));
/// assert_ne!(sh("$(id)"), "$(id)");
/// ```
pub fn sh(word: &str) -> Cow<'_, str> {
    shell_words::quote(word)
}

/// True when `word` is a plain name: non-empty, only `[A-Za-z0-9._+@/-]`, not starting with
/// `-` (an option) and without `..`. Such a word means the same to a shell, to BuildKit and
/// to the tool that reads it, so it needs no quoting.
///
/// ```
/// use migetpacks_core::words::is_plain_name;
/// assert!(is_plain_name("ext-gd") && is_plain_name("apps/web_1.0"));
/// assert!(!is_plain_name("gd <<X") && !is_plain_name("-rf") && !is_plain_name("a;b"));
/// ```
pub fn is_plain_name(word: &str) -> bool {
    !word.is_empty()
        && !word.starts_with('-')
        && !word.contains("..")
        && word.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'+' | b'@' | b'/' | b'-')
        })
}

/// A repository name that must be a plain name ([`is_plain_name`]), or a message naming
/// `what` (the file it came from) for the error.
pub fn name<'a>(what: &str, word: &'a str) -> Result<&'a str, String> {
    if is_plain_name(word) {
        Ok(word)
    } else {
        Err(format!(
            "{what}: {word:?} is not a plain name (letters, digits, '.', '_', '+', '@', '/', '-'; not starting with '-'); refusing to write it into the Dockerfile"
        ))
    }
}

/// True when a logical `RUN`/`COPY` line (continuations joined) holds `<<` outside quotes,
/// after `$NAME`/`${…}` references are removed (BuildKit expands them to nothing when it
/// looks for heredocs, so `<$A<X` is `<<X`). Stricter than BuildKit, which only treats words
/// starting with `<<` (or `N<<`) as heredocs: a shell would read any unquoted `<<` as one.
///
/// ```
/// use migetpacks_core::words::opens_heredoc;
/// assert!(opens_heredoc("go build -o app example.com/app <<'USER 1000'"));
/// assert!(opens_heredoc("echo <$A<EOF"));
/// assert!(!opens_heredoc("echo '<<X' \"<<Y\" a\\<<b"));
/// ```
pub fn opens_heredoc(line: &str) -> bool {
    let mut chars = line.chars().peekable();
    let mut single = false;
    let mut double = false;
    // The previous unquoted, unexpanded character was `<`.
    let mut lt = false;
    while let Some(c) = chars.next() {
        if single {
            single = c != '\'';
            lt = false;
            continue;
        }
        match c {
            '\\' => {
                chars.next();
                lt = false;
            }
            '\'' if !double => {
                single = true;
                lt = false;
            }
            '"' => {
                double = !double;
                lt = false;
            }
            '$' => match chars.peek() {
                Some('{') => {
                    for n in chars.by_ref() {
                        if n == '}' {
                            break;
                        }
                    }
                }
                Some(n) if n.is_ascii_alphanumeric() || *n == '_' => {
                    while chars
                        .peek()
                        .is_some_and(|n| n.is_ascii_alphanumeric() || *n == '_')
                    {
                        chars.next();
                    }
                }
                _ => lt = false,
            },
            '<' if !double => {
                if lt {
                    return true;
                }
                lt = true;
            }
            _ => lt = false,
        }
    }
    false
}

/// Why a `COPY` source or destination cannot be written safely, if it cannot: BuildKit reads a
/// leading `-` as a flag, expands `$` in both forms of `COPY`, and opens a heredoc for `<<`.
pub fn copy_path_problem(path: &str) -> Option<&'static str> {
    if path.starts_with('-') {
        Some("starts with '-'")
    } else if path.contains('$') {
        Some("contains '$'")
    } else if path.contains("<<") {
        Some("contains '<<'")
    } else {
        None
    }
}
