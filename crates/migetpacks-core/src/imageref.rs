//! Image references (`[registry/]repository[:tag][@digest]`), parsed by the grammar of the
//! distribution project (the one Docker and every OCI registry use).
//!
//! migetpacks cut references at the last `:`, so `r.io:5000/app` had the "tag" `5000/app` and
//! `TAG_LATEST` produced `r.io:latest` (docs/differences.md). Here the registry, port,
//! nested repository, tag and digest are told apart, so derived names (`:latest`, compose
//! service images) are always valid references.

use std::fmt;
use std::str::FromStr;

/// Longest repository name (registry plus path) a registry accepts.
pub const MAX_NAME_LEN: usize = 255;
/// Longest tag.
pub const MAX_TAG_LEN: usize = 128;

/// A reference that is not a valid image reference. The message names the reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid image reference {reference:?}: {reason}")]
pub struct RefError {
    /// The rejected reference, as given.
    pub reference: String,
    /// What is wrong with it.
    pub reason: String,
}

/// A parsed image reference.
///
/// ```
/// use migetpacks_core::imageref::ImageRef;
/// let r = ImageRef::parse("r.io:5000/acme/app:v1").unwrap();
/// assert_eq!(r.registry.as_deref(), Some("r.io:5000"));
/// assert_eq!(r.repository, "acme/app");
/// assert_eq!(r.tag.as_deref(), Some("v1"));
/// assert_eq!(r.latest().unwrap().to_string(), "r.io:5000/acme/app:latest");
/// assert!(ImageRef::parse("Acme/App").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    /// Registry host with optional port (`reg.io`, `localhost:5000`, `[::1]:5000`); `None`
    /// for Docker Hub short names (`node`, `acme/app`).
    pub registry: Option<String>,
    /// Repository path (`acme/app`), lowercase components joined by `/`.
    pub repository: String,
    /// Tag, if given.
    pub tag: Option<String>,
    /// Digest (`sha256:…`), if given.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Parse a reference.
    ///
    /// The first path component is the registry when it contains `.` or `:` or is
    /// `localhost` (the distribution rule); otherwise the name is a Docker Hub name.
    pub fn parse(s: &str) -> Result<ImageRef, RefError> {
        let err = |reason: &str| RefError {
            reference: s.to_string(),
            reason: reason.to_string(),
        };
        if s.is_empty() {
            return Err(err("empty reference"));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err("contains whitespace or a control character"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((rest, d)) => {
                validate_digest(d).map_err(|r| err(&r))?;
                (rest, Some(d.to_string()))
            }
            None => (s, None),
        };
        // The tag separator is a ':' after the last '/', so a registry port is never a tag.
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => {
                let at = last_slash + i;
                let tag = &rest[at + 1..];
                validate_tag(tag).map_err(|r| err(&r))?;
                (&rest[..at], Some(tag.to_string()))
            }
            None => (rest, None),
        };
        if name.is_empty() {
            return Err(err("missing repository name"));
        }
        if name.len() > MAX_NAME_LEN {
            return Err(err(&format!(
                "repository name is longer than {MAX_NAME_LEN} characters"
            )));
        }
        let (registry, repository) = match name.split_once('/') {
            Some((first, path)) if is_registry(first) => {
                validate_registry(first).map_err(|r| err(&r))?;
                (Some(first.to_string()), path)
            }
            _ => (None, name),
        };
        validate_repository(repository).map_err(|r| err(&r))?;
        Ok(ImageRef {
            registry,
            repository: repository.to_string(),
            tag,
            digest,
        })
    }

    /// The same repository with another tag (any digest is dropped, as it pinned the old tag).
    pub fn with_tag(&self, tag: &str) -> Result<ImageRef, RefError> {
        validate_tag(tag).map_err(|reason| RefError {
            reference: format!("{}:{tag}", self.name()),
            reason,
        })?;
        Ok(ImageRef {
            tag: Some(tag.to_string()),
            digest: None,
            ..self.clone()
        })
    }

    /// The `TAG_LATEST` alias: the same repository tagged `latest`.
    ///
    /// `None` when there is nothing to add: the reference has no tag (it already means
    /// `latest`, or is pinned by digest only) or its tag already is `latest`.
    ///
    /// ```
    /// use migetpacks_core::imageref::ImageRef;
    /// let r = |s| ImageRef::parse(s).unwrap();
    /// assert_eq!(r("app:local").latest().unwrap().to_string(), "app:latest");
    /// assert!(r("r.io/app:latest").latest().is_none());
    /// assert!(r("r.io/app").latest().is_none());
    /// ```
    pub fn latest(&self) -> Option<ImageRef> {
        match self.tag.as_deref() {
            Some(t) if t != "latest" => Some(ImageRef {
                tag: Some("latest".to_string()),
                digest: None,
                ..self.clone()
            }),
            _ => None,
        }
    }

    /// The image of a compose service: the service name joined to the last repository
    /// component with `-`, tag kept (`reg.io/acme/app:v1` + `api` ⇒ `reg.io/acme/app-api:v1`).
    ///
    /// This is the documented naming (docs/differences.md); migetpacks appended `-api` to the
    /// tag instead. The service name is lowercased, as repositories are lowercase; a name that
    /// still does not fit the repository grammar is an error. Any digest is dropped.
    ///
    /// ```
    /// use migetpacks_core::imageref::ImageRef;
    /// let r = ImageRef::parse("reg.io/acme/app:v1").unwrap();
    /// assert_eq!(r.with_service("api").unwrap().to_string(), "reg.io/acme/app-api:v1");
    /// ```
    pub fn with_service(&self, service: &str) -> Result<ImageRef, RefError> {
        let svc = service.to_ascii_lowercase();
        let err = |reason: String| RefError {
            reference: self.to_string(),
            reason: format!("compose service {service:?}: {reason}"),
        };
        if !valid_path_component(&svc) {
            return Err(err(
                "name must be letters and digits separated by '.', '_', '__' or '-' to be part of an image name".into(),
            ));
        }
        let repository = format!("{}-{svc}", self.repository);
        validate_repository(&repository).map_err(err)?;
        let out = ImageRef {
            repository,
            digest: None,
            ..self.clone()
        };
        if out.name().len() > MAX_NAME_LEN {
            return Err(err(format!(
                "repository name is longer than {MAX_NAME_LEN} characters"
            )));
        }
        Ok(out)
    }

    /// `[registry/]repository` without tag or digest.
    pub fn name(&self) -> String {
        match &self.registry {
            Some(r) => format!("{r}/{}", self.repository),
            None => self.repository.clone(),
        }
    }

    /// The registry for display in the result file: `docker.io` for Docker Hub names.
    pub fn registry_for_display(&self) -> &str {
        self.registry.as_deref().unwrap_or("docker.io")
    }

    /// The tag for display in the result file: `latest` when none is given.
    pub fn tag_for_display(&self) -> &str {
        self.tag.as_deref().unwrap_or("latest")
    }

    /// True for the `:local` tag, which means "load into the local daemon, do not push".
    pub fn is_local(&self) -> bool {
        self.tag.as_deref() == Some("local")
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(r) = &self.registry {
            write!(f, "{r}/")?;
        }
        f.write_str(&self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

impl FromStr for ImageRef {
    type Err = RefError;
    fn from_str(s: &str) -> Result<ImageRef, RefError> {
        ImageRef::parse(s)
    }
}

fn is_registry(first: &str) -> bool {
    first.contains('.') || first.contains(':') || first == "localhost"
}

fn validate_registry(reg: &str) -> Result<(), String> {
    let bad = |what: &str| Err(format!("invalid registry {reg:?}: {what}"));
    // A bracketed IPv6 literal may contain ':' itself, so the port follows the ']'.
    let (host, port) = if let Some(inner) = reg.strip_prefix('[') {
        let Some((addr, after)) = inner.split_once(']') else {
            return bad("unclosed '[' in IPv6 address");
        };
        if addr.parse::<std::net::Ipv6Addr>().is_err() {
            return bad("not an IPv6 address between '[' and ']'");
        }
        match after {
            "" => (None, None),
            p => match p.strip_prefix(':') {
                Some(p) => (None, Some(p)),
                None => return bad("unexpected text after ']'"),
            },
        }
    } else {
        match reg.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(reg), None),
        }
    };
    if let Some(host) = host {
        let ok_label = |l: &str| {
            let b = l.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        };
        if !host.split('.').all(ok_label) {
            return bad("host must be dot-separated labels of letters, digits and inner '-'");
        }
    }
    if let Some(port) = port {
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return bad("port must be a number");
        }
        if port.parse::<u16>().is_err() {
            return bad("port is larger than 65535");
        }
    }
    Ok(())
}

/// One path component: `[a-z0-9]+` runs separated by `.`, `_`, `__` or a run of `-`.
fn valid_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if i < b.len() && b[i] == b'_' {
                    i += 1;
                }
            }
            b'-' => {
                while i < b.len() && b[i] == b'-' {
                    i += 1;
                }
            }
            _ => return false,
        }
    }
}

fn validate_repository(repo: &str) -> Result<(), String> {
    if repo.is_empty() {
        return Err("missing repository name".into());
    }
    for comp in repo.split('/') {
        if comp.is_empty() {
            return Err("repository has an empty path component".into());
        }
        if comp.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(format!("repository component {comp:?} must be lowercase"));
        }
        if !valid_path_component(comp) {
            return Err(format!(
                "repository component {comp:?} must be lowercase letters and digits separated by '.', '_', '__' or '-'"
            ));
        }
    }
    Ok(())
}

fn validate_tag(tag: &str) -> Result<(), String> {
    let b = tag.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    if b.is_empty() {
        return Err("empty tag after ':'".into());
    }
    if b.len() > MAX_TAG_LEN {
        return Err(format!("tag is longer than {MAX_TAG_LEN} characters"));
    }
    if !word(b[0]) || !b.iter().all(|c| word(*c) || *c == b'.' || *c == b'-') {
        return Err(format!(
            "tag {tag:?} must start with a letter, digit or '_' and contain only letters, digits, '_', '.' and '-'"
        ));
    }
    Ok(())
}

fn validate_digest(d: &str) -> Result<(), String> {
    let Some((algo, hex)) = d.split_once(':') else {
        return Err(format!("digest {d:?} must be <algorithm>:<hex>"));
    };
    // Algorithm: letter-led alphanumeric components joined by one of "+.-_".
    let algo_ok = !algo.is_empty()
        && algo.split(['+', '.', '-', '_']).all(|c| {
            let b = c.as_bytes();
            !b.is_empty() && b[0].is_ascii_alphabetic() && b.iter().all(u8::is_ascii_alphanumeric)
        });
    if !algo_ok {
        return Err(format!("digest algorithm {algo:?} is not valid"));
    }
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("digest {d:?} must be hexadecimal after ':'"));
    }
    let want = match algo {
        "sha256" => Some(64),
        "sha512" => Some(128),
        _ => None,
    };
    match want {
        Some(n) if hex.len() != n => Err(format!("{algo} digest must have {n} hex digits")),
        None if hex.len() < 32 => Err(format!("digest {d:?} must have at least 32 hex digits")),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn p(s: &str) -> ImageRef {
        ImageRef::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn parts(s: &str) -> (Option<String>, String, Option<String>, Option<String>) {
        let r = p(s);
        (r.registry, r.repository, r.tag, r.digest)
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn splits_registry_repository_tag_digest() {
        assert_eq!(
            parts("registry.example.com/acme/app:v1"),
            (
                some("registry.example.com"),
                "acme/app".into(),
                some("v1"),
                None
            )
        );
        assert_eq!(
            parts("r.io:5000/app"),
            (some("r.io:5000"), "app".into(), None, None)
        );
        assert_eq!(
            parts("r.io:5000/app:v1"),
            (some("r.io:5000"), "app".into(), some("v1"), None)
        );
        assert_eq!(
            parts("localhost/app:1"),
            (some("localhost"), "app".into(), some("1"), None)
        );
        assert_eq!(
            parts("localhost:5000/a/b/c:x"),
            (some("localhost:5000"), "a/b/c".into(), some("x"), None)
        );
        assert_eq!(
            parts("app:local"),
            (None, "app".into(), some("local"), None)
        );
        assert_eq!(parts("acme/app"), (None, "acme/app".into(), None, None));
        assert_eq!(
            parts(&format!("node@{SHA}")),
            (None, "node".into(), None, some(SHA))
        );
        assert_eq!(
            parts(&format!("r.io/app:v2@{SHA}")),
            (some("r.io"), "app".into(), some("v2"), some(SHA))
        );
        assert_eq!(
            parts("[::1]:5000/app:v1"),
            (some("[::1]:5000"), "app".into(), some("v1"), None)
        );
        // The spec's "tag" v1-api is a real tag, not a service suffix.
        assert_eq!(p("reg.io/acme/app:v1-api").tag.as_deref(), Some("v1-api"));
        // `localhost:5000` alone is repository `localhost` tagged `5000` (Docker agrees).
        assert_eq!(
            parts("localhost:5000"),
            (None, "localhost".into(), some("5000"), None)
        );
    }

    #[test]
    fn separators_in_repository_components() {
        for ok in ["a.b", "a_b", "a__b", "a-b", "a---b", "a1/b2.c_d-e", "0/9"] {
            assert!(ImageRef::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["a..b", "a___b", "-a", "a-", "a.", "_a", "a/", "/a", "a//b"] {
            assert!(ImageRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rejects_bad_references_and_names_them() {
        for (bad, why) in [
            ("", "empty"),
            ("app :v1", "whitespace"),
            ("app\n:v1", "control"),
            ("Acme/app", "lowercase"),
            ("reg.io/Acme/app", "lowercase"),
            ("app:", "empty tag"),
            ("app:-x", "tag"),
            ("app:v/1", "port must be a number"),
            ("app:v.1/x", "port must be a number"),
            ("r.io:port/app", "port must be a number"),
            ("r.io:99999/app", "65535"),
            ("-r.io/app", "host"),
            ("[::1/app", "unclosed"),
            ("app@sha256:abc", "64 hex"),
            ("app@md5", "<algorithm>:<hex>"),
            ("app@sha256:zz", "hexadecimal"),
            (":v1", "missing repository"),
        ] {
            let e = ImageRef::parse(bad).unwrap_err();
            assert_eq!(e.reference, bad);
            let msg = e.to_string();
            assert!(msg.contains(why), "{bad:?}: {msg}");
            assert!(msg.contains(&format!("{bad:?}")), "{msg}");
        }
        let long_tag = format!("app:{}", "a".repeat(129));
        assert!(ImageRef::parse(&long_tag).is_err());
        assert!(ImageRef::parse(&format!("app:{}", "a".repeat(128))).is_ok());
        let long_name = format!("r.io/{}", "a".repeat(251));
        assert!(ImageRef::parse(&long_name).is_err());
    }

    #[test]
    fn display_round_trips() {
        for s in [
            "app",
            "app:local",
            "acme/app:v1.2.3",
            "r.io:5000/a/b/c:x_y-z",
            "localhost/app",
            "[::1]:5000/app:v1",
            &format!("r.io/app:v2@{SHA}"),
            &format!("app@{SHA}"),
        ] {
            assert_eq!(p(s).to_string(), s);
            assert_eq!(s.parse::<ImageRef>().unwrap(), p(s));
        }
    }

    #[test]
    fn latest_alias() {
        let l = |s: &str| p(s).latest().map(|r| r.to_string());
        assert_eq!(
            l("r.io:5000/app:v1").as_deref(),
            Some("r.io:5000/app:latest")
        );
        assert_eq!(l("app:local").as_deref(), Some("app:latest"));
        assert_eq!(l("r.io/app:latest"), None);
        assert_eq!(l("r.io/app"), None);
        assert_eq!(l(&format!("r.io/app@{SHA}")), None);
        assert_eq!(
            l(&format!("r.io/app:v1@{SHA}")).as_deref(),
            Some("r.io/app:latest")
        );
    }

    #[test]
    fn with_tag_validates_and_drops_digest() {
        let r = p(&format!("r.io/app:v1@{SHA}"));
        assert_eq!(r.with_tag("v2").unwrap().to_string(), "r.io/app:v2");
        let e = r.with_tag("bad tag").unwrap_err();
        assert!(e.to_string().contains("r.io/app:bad tag"), "{e}");
    }

    #[test]
    fn compose_service_images() {
        let r = p("reg.io/acme/app:v1");
        let s = |svc: &str| r.with_service(svc).map(|x| x.to_string());
        assert_eq!(s("api").unwrap(), "reg.io/acme/app-api:v1");
        assert_eq!(s("Worker_1").unwrap(), "reg.io/acme/app-worker_1:v1");
        assert_eq!(p("app").with_service("web").unwrap().to_string(), "app-web");
        assert_eq!(
            p("localhost:5000/app:local")
                .with_service("db-migrate")
                .unwrap()
                .to_string(),
            "localhost:5000/app-db-migrate:local"
        );
        for bad in ["", "a..b", "x/y", "-x", "a b"] {
            let e = r.with_service(bad).unwrap_err().to_string();
            assert!(
                e.contains("reg.io/acme/app:v1") && e.contains("service"),
                "{e}"
            );
        }
        // Each service gets its own latest alias (no collision, docs/differences.md).
        let api = r.with_service("api").unwrap().latest().unwrap().to_string();
        let web = r.with_service("web").unwrap().latest().unwrap().to_string();
        assert_eq!(api, "reg.io/acme/app-api:latest");
        assert_ne!(api, web);
    }

    #[test]
    fn display_helpers() {
        let r = p("acme/app");
        assert_eq!(r.registry_for_display(), "docker.io");
        assert_eq!(r.tag_for_display(), "latest");
        assert_eq!(r.name(), "acme/app");
        let r = p("r.io:5000/app:local");
        assert_eq!(r.registry_for_display(), "r.io:5000");
        assert!(r.is_local());
        assert!(!p("app:locally").is_local());
        assert!(!p("local/app").is_local());
    }

    proptest::proptest! {
        #[test]
        fn generated_references_round_trip(
            reg in proptest::option::of("[a-z][a-z0-9]{0,8}\\.[a-z]{2,4}(:[0-9]{1,4})?"),
            // No '.' in the first component: that would make it a registry.
            repo in "[a-z0-9]{1,6}([_-][a-z0-9]{1,6}){0,2}(/[a-z0-9]{1,6}([._-][a-z0-9]{1,4})?){0,2}",
            tag in proptest::option::of("[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}"),
        ) {
            let mut s = String::new();
            if let Some(r) = &reg { s.push_str(r); s.push('/'); }
            s.push_str(&repo);
            if let Some(t) = &tag { s.push(':'); s.push_str(t); }
            let parsed = ImageRef::parse(&s).unwrap();
            proptest::prop_assert_eq!(parsed.to_string(), s);
            proptest::prop_assert_eq!(parsed.registry, reg);
            proptest::prop_assert_eq!(parsed.repository, repo);
            proptest::prop_assert_eq!(parsed.tag, tag);
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = ImageRef::parse(&s);
        }
    }
}
