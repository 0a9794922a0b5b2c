//! Package-manager cache mounts (`RUN --mount=type=cache,…`), turned on by `BUILD_CACHE_DIR`.
//!
//! [`CacheKind`]'s table is the only place that knows where each package manager keeps its
//! download cache; providers ask [`mount`] for a mount and never spell a path themselves.
//! Targets are the package managers' own defaults for `root` in the official images, so a
//! mount works without extra configuration; [`CacheKind::env_override`] names the variable
//! that pins the directory for images that move it.
//!
//! ```
//! use migetpacks_core::mounts::{mount, CacheKind};
//! let m = mount(CacheKind::Npm, Some("shop"));
//! assert_eq!(m.to_flag(), "--mount=type=cache,id=shop-npm,target=/root/.npm,sharing=shared");
//! assert_eq!(mount(CacheKind::GoBuild, None).id, "default-gobuild");
//! ```

use serde::{Serialize, Serializer};

/// Which package-manager cache a mount holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CacheKind {
    /// npm: `/root/.npm`.
    Npm,
    /// Yarn 1 (classic): `/usr/local/share/.cache/yarn` (Yarn 1 puts root's home there).
    Yarn,
    /// Yarn 2+ (berry) global cache: `/root/.yarn/berry/cache`.
    YarnBerry,
    /// pnpm content-addressable store: `/root/.local/share/pnpm/store`.
    Pnpm,
    /// Bun: `/root/.bun/install/cache`.
    Bun,
    /// pip: `/root/.cache/pip`.
    Pip,
    /// uv: `/root/.cache/uv`.
    Uv,
    /// Poetry: `/root/.cache/pypoetry`.
    Poetry,
    /// Pipenv: `/root/.cache/pipenv`.
    Pipenv,
    /// Bundler's downloaded `.gem` files: `/usr/local/bundle/cache` (`$GEM_HOME/cache`).
    Bundler,
    /// Go module cache: `/go/pkg/mod`.
    GoMod,
    /// Go build cache: `/root/.cache/go-build`.
    GoBuild,
    /// Cargo registry (index and crate sources): `/usr/local/cargo/registry`.
    Cargo,
    /// Cargo git checkouts: `/usr/local/cargo/git`.
    CargoGit,
    /// Cargo's target directory in the builder stage: `/build/target`.
    RustTarget,
    /// Composer: `/root/.composer/cache`.
    Composer,
    /// Maven local repository: `/root/.m2/repository`.
    Maven,
    /// Gradle dependency caches: `/root/.gradle/caches`.
    Gradle,
    /// Gradle wrapper distributions: `/root/.gradle/wrapper`.
    GradleWrapper,
    /// sbt: `/root/.sbt`.
    Sbt,
    /// Ivy (sbt's older resolver): `/root/.ivy2`.
    Ivy,
    /// Coursier (sbt's resolver): `/root/.cache/coursier`.
    Coursier,
    /// Leiningen: `/root/.lein`.
    Lein,
    /// Maven repository as used by Leiningen: `/root/.m2`.
    M2,
    /// NuGet packages: `/root/.nuget/packages`.
    Nuget,
    /// Hex packages: `/root/.hex`.
    Hex,
    /// Mix archives and rebar: `/root/.mix`.
    Mix,
    /// Deno: `/deno-dir` (`DENO_DIR` of the denoland/deno images).
    Deno,
}

/// One row of the table: mount type name, target, and the variable (with its value) that
/// pins the target.
struct Row {
    name: &'static str,
    target: &'static str,
    env: Option<(&'static str, &'static str)>,
}

/// A row whose variable, if any, is set to the target itself.
const fn row(name: &'static str, target: &'static str, var: Option<&'static str>) -> Row {
    let env = match var {
        Some(v) => Some((v, target)),
        None => None,
    };
    Row { name, target, env }
}

/// A row whose variable names a parent folder of the target (`GRADLE_USER_HOME`, …).
const fn row_in(
    name: &'static str,
    target: &'static str,
    var: &'static str,
    home: &'static str,
) -> Row {
    Row {
        name,
        target,
        env: Some((var, home)),
    }
}

impl CacheKind {
    /// Every kind, in table order.
    pub const ALL: [CacheKind; 28] = [
        CacheKind::Npm,
        CacheKind::Yarn,
        CacheKind::YarnBerry,
        CacheKind::Pnpm,
        CacheKind::Bun,
        CacheKind::Pip,
        CacheKind::Uv,
        CacheKind::Poetry,
        CacheKind::Pipenv,
        CacheKind::Bundler,
        CacheKind::GoMod,
        CacheKind::GoBuild,
        CacheKind::Cargo,
        CacheKind::CargoGit,
        CacheKind::RustTarget,
        CacheKind::Composer,
        CacheKind::Maven,
        CacheKind::Gradle,
        CacheKind::GradleWrapper,
        CacheKind::Sbt,
        CacheKind::Ivy,
        CacheKind::Coursier,
        CacheKind::Lein,
        CacheKind::M2,
        CacheKind::Nuget,
        CacheKind::Hex,
        CacheKind::Mix,
        CacheKind::Deno,
    ];

    /// The table. Type names follow migetpacks (`bundle`, `go`, `gobuild`, `rustbuild`, …) so
    /// ids stay `<key>-<type>`.
    fn row(self) -> Row {
        match self {
            CacheKind::Npm => row("npm", "/root/.npm", Some("npm_config_cache")),
            CacheKind::Yarn => row(
                "yarn",
                "/usr/local/share/.cache/yarn",
                Some("YARN_CACHE_FOLDER"),
            ),
            CacheKind::YarnBerry => row("yarn-berry", "/root/.yarn/berry/cache", None),
            CacheKind::Pnpm => row("pnpm", "/root/.local/share/pnpm/store", None),
            CacheKind::Bun => row(
                "bun",
                "/root/.bun/install/cache",
                Some("BUN_INSTALL_CACHE_DIR"),
            ),
            CacheKind::Pip => row("pip", "/root/.cache/pip", Some("PIP_CACHE_DIR")),
            CacheKind::Uv => row("uv", "/root/.cache/uv", Some("UV_CACHE_DIR")),
            CacheKind::Poetry => row("poetry", "/root/.cache/pypoetry", Some("POETRY_CACHE_DIR")),
            CacheKind::Pipenv => row("pipenv", "/root/.cache/pipenv", Some("PIPENV_CACHE_DIR")),
            CacheKind::Bundler => row("bundle", "/usr/local/bundle/cache", None),
            CacheKind::GoMod => row("go", "/go/pkg/mod", Some("GOMODCACHE")),
            CacheKind::GoBuild => row("gobuild", "/root/.cache/go-build", Some("GOCACHE")),
            CacheKind::Cargo => row_in(
                "cargo",
                "/usr/local/cargo/registry",
                "CARGO_HOME",
                "/usr/local/cargo",
            ),
            CacheKind::CargoGit => row_in(
                "cargo-git",
                "/usr/local/cargo/git",
                "CARGO_HOME",
                "/usr/local/cargo",
            ),
            CacheKind::RustTarget => row("rustbuild", "/build/target", None),
            CacheKind::Composer => row(
                "composer",
                "/root/.composer/cache",
                Some("COMPOSER_CACHE_DIR"),
            ),
            CacheKind::Maven => row("maven", "/root/.m2/repository", None),
            CacheKind::Gradle => row_in(
                "gradle",
                "/root/.gradle/caches",
                "GRADLE_USER_HOME",
                "/root/.gradle",
            ),
            CacheKind::GradleWrapper => row_in(
                "gradle-wrapper",
                "/root/.gradle/wrapper",
                "GRADLE_USER_HOME",
                "/root/.gradle",
            ),
            CacheKind::Sbt => row("sbt", "/root/.sbt", None),
            CacheKind::Ivy => row("ivy", "/root/.ivy2", None),
            CacheKind::Coursier => row("coursier", "/root/.cache/coursier", Some("COURSIER_CACHE")),
            CacheKind::Lein => row("lein", "/root/.lein", None),
            CacheKind::M2 => row("m2", "/root/.m2", None),
            CacheKind::Nuget => row("nuget", "/root/.nuget/packages", Some("NUGET_PACKAGES")),
            CacheKind::Hex => row("hex", "/root/.hex", Some("HEX_HOME")),
            CacheKind::Mix => row("mix", "/root/.mix", Some("MIX_HOME")),
            CacheKind::Deno => row("deno", "/deno-dir", Some("DENO_DIR")),
        }
    }

    /// The mount type name (the part after `<key>-` in the id).
    pub fn type_name(self) -> &'static str {
        self.row().name
    }

    /// The directory the package manager uses as its cache.
    pub fn target(self) -> &'static str {
        self.row().target
    }

    /// The variable (and its value) that points the package manager at
    /// [`target`](Self::target), where one exists — for images that set a different default
    /// (e.g. `COMPOSER_HOME=/tmp`). The value is the target itself or a folder containing it.
    ///
    /// ```
    /// use migetpacks_core::mounts::CacheKind;
    /// assert_eq!(
    ///     CacheKind::Composer.env_override(),
    ///     Some(("COMPOSER_CACHE_DIR", "/root/.composer/cache"))
    /// );
    /// assert_eq!(CacheKind::Maven.env_override(), None);
    /// ```
    pub fn env_override(self) -> Option<(&'static str, &'static str)> {
        self.row().env
    }
}

impl Serialize for CacheKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.type_name())
    }
}

/// BuildKit's `sharing=` mode for a cache mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sharing {
    /// Concurrent builds use the cache at the same time (package managers lock themselves).
    Shared,
    /// Concurrent builds wait for each other.
    Locked,
    /// Each concurrent build gets its own copy.
    Private,
}

impl Sharing {
    /// `shared`, `locked` or `private`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sharing::Shared => "shared",
            Sharing::Locked => "locked",
            Sharing::Private => "private",
        }
    }
}

/// One `RUN --mount=type=cache,…`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct CacheMount {
    /// Cache id (`<CACHE_KEY>-<type>`, else `default-<type>`).
    pub id: String,
    /// Directory inside the build container.
    pub target: String,
    /// Sharing mode.
    pub sharing: Sharing,
}

/// The mount for a cache kind. `cache_key` is `Settings::cache_key`, already validated by
/// [`is_valid_cache_key`]; `None` gives the `default-` prefix. Every mount has an id (so apps
/// with different keys never share a cache) and `sharing=shared`.
pub fn mount(kind: CacheKind, cache_key: Option<&str>) -> CacheMount {
    CacheMount {
        id: format!("{}-{}", cache_key.unwrap_or("default"), kind.type_name()),
        target: kind.target().to_string(),
        sharing: Sharing::Shared,
    }
}

impl CacheMount {
    /// The Dockerfile flag: `--mount=type=cache,id=<id>,target=<target>,sharing=<sharing>`.
    pub fn to_flag(&self) -> String {
        format!(
            "--mount=type=cache,id={},target={},sharing={}",
            self.id,
            self.target,
            self.sharing.as_str()
        )
    }
}

/// True for a usable `CACHE_KEY`: non-empty, only `[A-Za-z0-9_.-]` (it is pasted into
/// Dockerfile flags and cache names).
pub fn is_valid_cache_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of docs/caching.md (package-manager cache mounts), plus the kinds migetpacks-rs adds; targets where we
    /// deliberately differ from migetpacks are documented in docs/caching.md.
    #[test]
    fn table() {
        let want = [
            (CacheKind::Npm, "npm", "/root/.npm"),
            (CacheKind::Yarn, "yarn", "/usr/local/share/.cache/yarn"),
            (
                CacheKind::YarnBerry,
                "yarn-berry",
                "/root/.yarn/berry/cache",
            ),
            (CacheKind::Pnpm, "pnpm", "/root/.local/share/pnpm/store"),
            (CacheKind::Bun, "bun", "/root/.bun/install/cache"),
            (CacheKind::Pip, "pip", "/root/.cache/pip"),
            (CacheKind::Uv, "uv", "/root/.cache/uv"),
            (CacheKind::Poetry, "poetry", "/root/.cache/pypoetry"),
            (CacheKind::Pipenv, "pipenv", "/root/.cache/pipenv"),
            (CacheKind::Bundler, "bundle", "/usr/local/bundle/cache"),
            (CacheKind::GoMod, "go", "/go/pkg/mod"),
            (CacheKind::GoBuild, "gobuild", "/root/.cache/go-build"),
            (CacheKind::Cargo, "cargo", "/usr/local/cargo/registry"),
            (CacheKind::CargoGit, "cargo-git", "/usr/local/cargo/git"),
            (CacheKind::RustTarget, "rustbuild", "/build/target"),
            (CacheKind::Composer, "composer", "/root/.composer/cache"),
            (CacheKind::Maven, "maven", "/root/.m2/repository"),
            (CacheKind::Gradle, "gradle", "/root/.gradle/caches"),
            (
                CacheKind::GradleWrapper,
                "gradle-wrapper",
                "/root/.gradle/wrapper",
            ),
            (CacheKind::Sbt, "sbt", "/root/.sbt"),
            (CacheKind::Ivy, "ivy", "/root/.ivy2"),
            (CacheKind::Coursier, "coursier", "/root/.cache/coursier"),
            (CacheKind::Lein, "lein", "/root/.lein"),
            (CacheKind::M2, "m2", "/root/.m2"),
            (CacheKind::Nuget, "nuget", "/root/.nuget/packages"),
            (CacheKind::Hex, "hex", "/root/.hex"),
            (CacheKind::Mix, "mix", "/root/.mix"),
            (CacheKind::Deno, "deno", "/deno-dir"),
        ];
        assert_eq!(want.len(), CacheKind::ALL.len());
        for ((kind, name, target), all) in want.iter().zip(CacheKind::ALL) {
            assert_eq!(*kind, all, "ALL is in table order");
            assert_eq!(kind.type_name(), *name);
            assert_eq!(kind.target(), *target);
        }
    }

    #[test]
    fn names_and_targets_are_unique() {
        for (i, a) in CacheKind::ALL.iter().enumerate() {
            for b in &CacheKind::ALL[i + 1..] {
                assert_ne!(a.type_name(), b.type_name());
                assert_ne!(a.target(), b.target());
            }
        }
    }

    #[test]
    fn ids_and_flags() {
        let m = mount(CacheKind::GradleWrapper, Some("app.v2"));
        assert_eq!(m.id, "app.v2-gradle-wrapper");
        assert_eq!(
            m.to_flag(),
            "--mount=type=cache,id=app.v2-gradle-wrapper,target=/root/.gradle/wrapper,sharing=shared"
        );
        for kind in CacheKind::ALL {
            let m = mount(kind, None);
            assert_eq!(m.id, format!("default-{}", kind.type_name()));
            assert_eq!(m.sharing, Sharing::Shared);
            assert!(m.to_flag().ends_with(",sharing=shared"));
        }
        let locked = CacheMount {
            sharing: Sharing::Locked,
            ..mount(CacheKind::Cargo, None)
        };
        assert!(locked.to_flag().ends_with(",sharing=locked"));
    }

    #[test]
    fn serializes_snake_case() {
        let m = mount(CacheKind::Pip, Some("k"));
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"id":"k-pip","target":"/root/.cache/pip","sharing":"shared"}"#
        );
        assert_eq!(
            serde_json::to_string(&CacheKind::GoBuild).unwrap(),
            r#""gobuild""#
        );
    }

    #[test]
    fn env_overrides_point_at_the_target() {
        for kind in CacheKind::ALL {
            if let Some((var, dir)) = kind.env_override() {
                let inside = kind.target() == dir || kind.target().starts_with(&format!("{dir}/"));
                assert!(inside, "{var}={dir} does not contain {}", kind.target());
            }
        }
        assert_eq!(
            CacheKind::GradleWrapper.env_override(),
            Some(("GRADLE_USER_HOME", "/root/.gradle"))
        );
        assert_eq!(
            CacheKind::Yarn.env_override(),
            Some(("YARN_CACHE_FOLDER", "/usr/local/share/.cache/yarn"))
        );
    }

    #[test]
    fn cache_keys() {
        for ok in ["a", "shop-api", "v1.2_x", "A9"] {
            assert!(is_valid_cache_key(ok), "{ok}");
        }
        for bad in ["", "a b", "a,b", "a/b", "a=b", "ä", "a\n"] {
            assert!(!is_valid_cache_key(bad), "{bad:?}");
        }
    }
}
