//! Package-manager cache mounts (provisional copy; the cache branch owns the final table).

use serde::Serialize;

/// Which package-manager cache a mount holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CacheKind {
    /// npm.
    Npm,
    /// Yarn.
    Yarn,
    /// pnpm.
    Pnpm,
    /// pip.
    Pip,
    /// uv.
    Uv,
    /// Poetry.
    Poetry,
    /// Composer (PHP); the PHP provider sets `COMPOSER_CACHE_DIR` to this target.
    Composer,
    /// Maven's local repository.
    Maven,
    /// Gradle's dependency caches.
    Gradle,
    /// Gradle wrapper distributions.
    GradleWrapper,
    /// sbt's home (boot, launcher, plugins).
    Sbt,
    /// Ivy cache (sbt < 1.3, plugin resolution).
    Ivy,
    /// Coursier cache (sbt ≥ 1.3).
    Coursier,
    /// `~/.m2` as a whole (Leiningen and the Clojure CLI keep their jars in `~/.m2/repository`).
    M2,
    /// NuGet global packages folder.
    Nuget,
    /// Hex package cache (Elixir; the provider sets `HEX_HOME` to this target).
    Hex,
}

/// BuildKit sharing mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sharing {
    /// Concurrent builds share the cache.
    Shared,
}

/// One `RUN --mount=type=cache`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheMount {
    /// Cache id.
    pub id: String,
    /// Target directory.
    pub target: String,
    /// Sharing mode.
    pub sharing: Sharing,
}

/// The mount for a cache kind.
pub fn mount(kind: CacheKind, cache_key: Option<&str>) -> CacheMount {
    let (name, target) = match kind {
        CacheKind::Npm => ("npm", "/root/.npm"),
        CacheKind::Yarn => ("yarn", "/usr/local/share/.cache/yarn"),
        CacheKind::Pnpm => ("pnpm", "/root/.local/share/pnpm/store"),
        CacheKind::Pip => ("pip", "/root/.cache/pip"),
        CacheKind::Uv => ("uv", "/root/.cache/uv"),
        CacheKind::Poetry => ("poetry", "/root/.cache/pypoetry"),
        CacheKind::Composer => ("composer", "/root/.composer/cache"),
        CacheKind::Maven => ("maven", "/root/.m2/repository"),
        CacheKind::Gradle => ("gradle", "/root/.gradle/caches"),
        CacheKind::GradleWrapper => ("gradle-wrapper", "/root/.gradle/wrapper"),
        CacheKind::Sbt => ("sbt", "/root/.sbt"),
        CacheKind::Ivy => ("ivy", "/root/.ivy2"),
        CacheKind::Coursier => ("coursier", "/root/.cache/coursier"),
        CacheKind::M2 => ("m2", "/root/.m2"),
        CacheKind::Nuget => ("nuget", "/root/.nuget/packages"),
        CacheKind::Hex => ("hex", "/root/.hex"),
    };
    CacheMount {
        id: format!("{}-{name}", cache_key.unwrap_or("default")),
        target: target.into(),
        sharing: Sharing::Shared,
    }
}

impl CacheMount {
    /// The `--mount=` flag.
    pub fn to_flag(&self) -> String {
        format!(
            "--mount=type=cache,id={},target={},sharing=shared",
            self.id, self.target
        )
    }
}
