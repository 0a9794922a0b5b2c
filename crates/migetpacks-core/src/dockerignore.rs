//! The default build-context ignore file for generated Dockerfiles.
//!
//! migetpacks wrote a `.dockerignore` into the user's source tree (docs/differences.md). We never
//! write there: the CLI puts the default next to the generated Dockerfile as
//! `<Dockerfile>.dockerignore`, which BuildKit reads instead of the context's `.dockerignore`.
//! So it is written only when the source has no `.dockerignore` of its own ([`needs_default`]).
//!
//! ```
//! use migetpacks_core::dockerignore::{default_dockerignore, ignore_file_name, needs_default};
//! use migetpacks_core::source::SourceTree;
//! let app = SourceTree::in_memory([("package.json", "{}")]);
//! assert!(needs_default(&app));
//! assert!(default_dockerignore().lines().any(|l| l == ".git"));
//! assert_eq!(ignore_file_name("Dockerfile"), "Dockerfile.dockerignore");
//! ```

use crate::source::SourceTree;

/// The default patterns (docs/caching.md, without `build`, `dist`, `deps`, `tmp`, `log` and
/// `.package-cache`; junk files matched at any depth). docs/caching.md explains each change.
const DEFAULT: &str = "\
# Default build-context exclusions (migetpacks-rs); used only when the app has no .dockerignore.
.git
.github
.gitignore
.gitattributes
**/node_modules
vendor/bundle
**/__pycache__
**/*.pyc
.bundle
.cache
.env.local
.env*.local
*.log
log/*.log
**/.DS_Store
**/Thumbs.db
.idea
.vscode
**/*.swp
**/*.swo
coverage
.nyc_output
.pytest_cache
.tox
htmlcov
*.egg-info
target/debug
target/release
_build
.elixir_ls
.mix
";

/// The default ignore file's content (one pattern per line, newline-terminated).
pub fn default_dockerignore() -> &'static str {
    DEFAULT
}

/// True when the source has no `.dockerignore` of its own, so the default should be used.
///
/// A user's `.dockerignore` always wins: BuildKit prefers `<Dockerfile>.dockerignore` over the
/// context's file, so writing the default next to it would silently replace theirs.
///
/// ```
/// use migetpacks_core::dockerignore::needs_default;
/// use migetpacks_core::source::SourceTree;
/// let own = SourceTree::in_memory([(".dockerignore", "secrets/\n"), ("app.py", "")]);
/// assert!(!needs_default(&own));
/// ```
pub fn needs_default(tree: &SourceTree) -> bool {
    !tree.is_file(".dockerignore")
}

/// The name BuildKit looks for next to a Dockerfile: `<dockerfile name>.dockerignore`.
pub fn ignore_file_name(dockerfile_name: &str) -> String {
    format!("{dockerfile_name}.dockerignore")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patterns() -> Vec<&'static str> {
        default_dockerignore()
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect()
    }

    #[test]
    fn keeps_directories_real_projects_use() {
        let p = patterns();
        for kept_in_context in ["build", "dist", "deps", "tmp", "log", ".package-cache"] {
            assert!(!p.contains(&kept_in_context), "{kept_in_context}");
        }
    }

    #[test]
    fn excludes_vcs_dependencies_and_local_secrets() {
        let p = patterns();
        for excluded in [
            ".git",
            "**/node_modules",
            "vendor/bundle",
            ".env.local",
            ".env*.local",
            "target/release",
            "_build",
        ] {
            assert!(p.contains(&excluded), "{excluded}");
        }
    }

    #[test]
    fn one_pattern_per_line() {
        let text = default_dockerignore();
        assert!(text.ends_with('\n'));
        for line in patterns() {
            assert!(!line.is_empty() && line.trim() == line, "{line:?}");
        }
        let mut sorted = patterns();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), patterns().len(), "no duplicates");
    }

    #[test]
    fn own_dockerignore_wins() {
        assert!(needs_default(&SourceTree::in_memory([("main.go", "")])));
        assert!(!needs_default(&SourceTree::in_memory([(
            ".dockerignore",
            ""
        )])));
        // A folder named .dockerignore is not an ignore file.
        assert!(needs_default(&SourceTree::in_memory([(
            ".dockerignore/x",
            ""
        )])));
    }

    #[test]
    fn on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let tree = SourceTree::open(dir.path()).unwrap();
        assert!(needs_default(&tree));
        std::fs::write(dir.path().join(".dockerignore"), "x\n").unwrap();
        assert!(!needs_default(&tree));
    }
}
