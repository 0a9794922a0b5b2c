//! What the Ruby provider reads from `Gemfile` and `Gemfile.lock`: native extensions and the
//! system libraries they need, the Bundler version, local path gems, Rails and Puma.

use regex::Regex;

/// A family of gems with native extensions and the Debian packages they need.
#[derive(Debug, PartialEq, Eq)]
pub struct Native {
    /// Gems that need it.
    pub gems: &'static [&'static str],
    /// Shared libraries for the runtime stage.
    pub runtime: &'static [&'static str],
    /// Headers for compiling the extension in the builder.
    pub dev: &'static [&'static str],
    /// Files a hardened (package-manager-less) runtime copies from the builder instead.
    pub files: &'static [(&'static str, &'static str)],
}

/// Native-extension families, in the order their packages are listed.
pub const NATIVE: [Native; 5] = [
    Native {
        gems: &["pg"],
        runtime: &["libpq5"],
        dev: &["libpq-dev"],
        files: &[("/usr/lib/*/libpq.so*", "/usr/lib/")],
    },
    Native {
        gems: &["mysql2", "trilogy"],
        runtime: &["libmariadb3"],
        dev: &["libmariadb-dev"],
        files: &[("/usr/lib/*/libmariadb.so*", "/usr/lib/")],
    },
    Native {
        gems: &["sqlite3"],
        runtime: &["libsqlite3-0"],
        dev: &["libsqlite3-dev"],
        files: &[("/usr/lib/*/libsqlite3.so*", "/usr/lib/")],
    },
    Native {
        gems: &["nokogiri", "rails"],
        runtime: &["libxml2", "libxslt1.1"],
        dev: &["libxml2-dev", "libxslt1-dev"],
        files: &[
            ("/usr/lib/*/libxml2.so*", "/usr/lib/"),
            ("/usr/lib/*/libxslt.so*", "/usr/lib/"),
            ("/usr/lib/*/libexslt.so*", "/usr/lib/"),
        ],
    },
    Native {
        gems: &["mini_magick", "rmagick", "image_processing"],
        runtime: &["imagemagick", "libvips"],
        dev: &["libmagickwand-dev", "libvips-dev"],
        files: &[
            ("/usr/lib/*/libMagick*.so*", "/usr/lib/"),
            ("/usr/lib/*/libvips*.so*", "/usr/lib/"),
            ("/usr/lib/*/ImageMagick*", "/usr/lib/"),
            ("/etc/ImageMagick*", "/etc/"),
        ],
    },
];

/// Headers every native extension may need, for hardened builders (the official `ruby`
/// image already has them).
pub const BASE_DEV: [&str; 7] = [
    "pkg-config",
    "libyaml-dev",
    "libffi-dev",
    "zlib1g-dev",
    "libssl-dev",
    "libreadline-dev",
    "libgmp-dev",
];

/// The parts of the Gemfile and lockfile the generator uses.
#[derive(Debug, Default)]
pub struct Gems {
    gemfile: String,
    lock: Option<String>,
}

impl Gems {
    /// Wrap the Gemfile and (optional) Gemfile.lock text.
    pub fn new(gemfile: String, lock: Option<String>) -> Gems {
        Gems { gemfile, lock }
    }

    /// True when a Gemfile.lock exists.
    pub fn locked(&self) -> bool {
        self.lock.is_some()
    }

    /// True when the Gemfile declares `gem` or the lockfile resolves it (top-level spec lines
    /// have exactly four spaces of indentation).
    pub fn has(&self, gem: &str) -> bool {
        let declared = Regex::new(&format!(
            r#"(?m)^\s*gem\s*\(?\s*['"]{}['"]"#,
            regex::escape(gem)
        ))
        .expect("escaped regex");
        let spec = format!("    {gem} (");
        declared.is_match(&self.gemfile)
            || self.lock.as_deref().is_some_and(|l| {
                l.lines()
                    .any(|line| line.starts_with(&spec) && !line.starts_with("     "))
            })
    }

    /// Native-extension families in use.
    pub fn native(&self) -> Vec<&'static Native> {
        NATIVE
            .iter()
            .filter(|n| n.gems.iter().any(|g| self.has(g)))
            .collect()
    }

    /// The locked version of a gem (`    rails (7.1.3)`).
    pub fn locked_version(&self, gem: &str) -> Option<String> {
        let spec = format!("    {gem} (");
        let lock = self.lock.as_deref()?;
        lock.lines()
            .find_map(|l| l.strip_prefix(&spec))
            .map(|rest| rest.trim_end_matches(')').to_string())
    }

    /// The Bundler version the lockfile was written with (`BUNDLED WITH`).
    pub fn bundler_version(&self) -> Option<String> {
        let lock = self.lock.as_deref()?;
        let mut lines = lock.lines();
        lines.find(|l| l.trim() == "BUNDLED WITH")?;
        let v = lines.next()?.trim();
        let valid = !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
        valid.then(|| v.to_string())
    }

    /// Folders of `path:` gems, as written in the Gemfile.
    pub fn local_paths(&self) -> Vec<String> {
        let re = Regex::new(r#"(?:\bpath:|:path\s*=>)\s*['"]([^'"]+)['"]"#).expect("static regex");
        let mut out: Vec<String> = Vec::new();
        for c in re.captures_iter(&self.gemfile) {
            let p = c[1].trim_end_matches('/').to_string();
            if !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = "GEM\n  specs:\n    pg (1.5.6)\n    rails (7.1.3)\n      nokogiri (>= 1.6)\n    puma (6.4.2)\n\nBUNDLED WITH\n   2.5.10\n";

    #[test]
    fn lockfile_facts() {
        let g = Gems::new("source 'https://rubygems.org'\ngem \"sqlite3\", '~> 1.4'\ngem 'local', path: 'engines/local/'\ngem 'x', :path => \"vendor/x\"\n".into(), Some(LOCK.into()));
        assert!(g.has("pg") && g.has("sqlite3") && g.has("rails"));
        // nokogiri appears only as a dependency line (six spaces), but rails pulls the family in.
        assert!(!g.has("nokogiri"));
        let pkgs: Vec<&str> = g
            .native()
            .iter()
            .flat_map(|n| n.runtime.iter().copied())
            .collect();
        assert_eq!(pkgs, ["libpq5", "libsqlite3-0", "libxml2", "libxslt1.1"]);
        assert_eq!(g.bundler_version().as_deref(), Some("2.5.10"));
        assert_eq!(g.locked_version("rails").as_deref(), Some("7.1.3"));
        assert_eq!(g.local_paths(), ["engines/local", "vendor/x"]);
        let g = Gems::new(
            "gem 'pgx'\n".into(),
            Some("BUNDLED WITH\n   2.5; rm -rf /\n".into()),
        );
        assert!(!g.has("pg"));
        assert_eq!(g.bundler_version(), None);
    }
}
