//! Version floors of Docker Hardened Images: DHI publishes only recent versions of some
//! runtimes, so an older detected version is raised to the oldest published one, with a
//! warning naming both, rather than producing an image tag that does not exist.

/// A version as `(major, minor, patch)`; `None` when it is not `major.minor[.patch]` numbers.
/// A missing patch counts as `None` in the third place.
pub fn parse(version: &str) -> Option<(u64, u64, Option<u64>)> {
    let mut parts = version.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = match parts.next() {
        None => None,
        Some(p) => Some(p.parse().ok()?),
    };
    if parts.next().is_some() {
        return None;
    }
    Some((major, minor, patch))
}

/// Raise `version` to `floor` when it is older (a missing patch counts as 0) or not numeric.
/// Returns the version to use and, when it changed, a warning naming the old and new one.
///
/// ```
/// use migetpacks_core::providers::dhi::raise;
/// assert_eq!(raise("Deno", "2.6.1", (2, 6, 4)), ("2.6.4".to_string(), Some("Deno 2.6.1 is not available as a Docker Hardened Image; using 2.6.4 instead".to_string())));
/// assert_eq!(raise("Bun", "1.3.7", (1, 3, 6)), ("1.3.7".to_string(), None));
/// assert_eq!(raise("Bun", "1.4", (1, 3, 6)), ("1.4".to_string(), None));
/// ```
pub fn raise(name: &str, version: &str, floor: (u64, u64, u64)) -> (String, Option<String>) {
    let ok = parse(version).is_some_and(|(a, b, c)| (a, b, c.unwrap_or(0)) >= floor);
    if ok {
        return (version.to_string(), None);
    }
    let new = format!("{}.{}.{}", floor.0, floor.1, floor.2);
    let warning = format!(
        "{name} {version} is not available as a Docker Hardened Image; using {new} instead"
    );
    (new, Some(warning))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_raises() {
        assert_eq!(parse("1.22"), Some((1, 22, None)));
        assert_eq!(parse("1.22.3"), Some((1, 22, Some(3))));
        assert_eq!(parse("1.22rc1"), None);
        assert_eq!(parse("1.2.3.4"), None);
        let (v, w) = raise("Deno", "canary", (2, 6, 4));
        assert_eq!(v, "2.6.4");
        assert!(w.unwrap().contains("canary"));
        assert_eq!(raise("Deno", "2.6", (2, 6, 4)).0, "2.6.4");
        assert_eq!(raise("Deno", "3.0", (2, 6, 4)), ("3.0".to_string(), None));
    }
}
