//! The version normaliser: turns range syntax and aliases from version files into image tags.
//!
//! The rules of docs/detection.md (versions), with the corrections listed in docs/differences.md:
//! - `||` and single `|` alternatives are split; each is normalised and the highest wins
//!   (`^7.4 || ^8.0` → `8.0`, `^8.1|^8.2` → `8.2`).
//! - comma- or space-separated comparator sets take their lower bound (`>=3.8,<4` → `3.8`,
//!   `>=14 <=22` → `14`); a set with only upper bounds (`<22`) has no usable version.
//! - wildcard segments are dropped (`20.x` → `20`, `8.2.*` → `8.2`).
//! - an operator with a full `X.Y.Z` keeps `X.Y` (`^20.11.1` → `20.11`), as the original does.
//!
//! The result is not checked here; callers test it with [`super::is_valid_version`].

/// Node.js LTS codenames and their major versions (for `lts/<codename>` in `.nvmrc`).
pub const NODE_CODENAMES: [(&str, u32); 11] = [
    ("argon", 4),
    ("boron", 6),
    ("carbon", 8),
    ("dubnium", 10),
    ("erbium", 12),
    ("fermium", 14),
    ("gallium", 16),
    ("hydrogen", 18),
    ("iron", 20),
    ("jod", 22),
    ("krypton", 24),
];

/// The Node.js major that `lts/*`, `lts`, `node` and `latest` stand for.
///
/// These aliases move over time; we pin them to the major of the default Node version
/// (`22.16.0`, Node 22 "jod", the active LTS line this tool's images are tested with) so a
/// build is reproducible and the tag always exists.
pub const NODE_CURRENT_LTS_MAJOR: u32 = 22;

/// Normalise a Node.js version: resolves nvm aliases, then applies [`normalize`].
///
/// ```
/// use migetpacks_core::version::normalize::normalize_node;
/// assert_eq!(normalize_node("lts/iron"), "20");
/// assert_eq!(normalize_node("lts/*"), "22");
/// assert_eq!(normalize_node("node"), "22");
/// assert_eq!(normalize_node(">=18 <=22"), "18");
/// ```
pub fn normalize_node(raw: &str) -> String {
    let s = raw.trim();
    let lower = s.to_ascii_lowercase();
    match lower.as_str() {
        "lts/*" | "lts" | "node" | "latest" => return NODE_CURRENT_LTS_MAJOR.to_string(),
        _ => {}
    }
    if let Some(name) = lower.strip_prefix("lts/") {
        if let Some((_, major)) = NODE_CODENAMES.iter().find(|(n, _)| *n == name) {
            return major.to_string();
        }
    }
    normalize(s)
}

/// Normalise a version constraint into a version (see the module docs for the rules).
///
/// ```
/// use migetpacks_core::version::normalize::normalize;
/// assert_eq!(normalize("^20.11.1"), "20.11");
/// assert_eq!(normalize("^7.4 || ^8.0"), "8.0");
/// assert_eq!(normalize(">=3.8,<4"), "3.8");
/// assert_eq!(normalize("<22"), "");
/// assert_eq!(normalize("3.12.1"), "3.12.1");
/// ```
pub fn normalize(raw: &str) -> String {
    let s = raw.trim();
    if s.contains('|') {
        return s
            .split('|')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(normalize_set)
            .filter(|v| !v.is_empty())
            .max_by(|a, b| compare_versions(a, b))
            .unwrap_or_default();
    }
    normalize_set(s)
}

/// One comparator set (`>=3.8,<4`, `>= 18.2.1`, `20.x`): the highest lower bound, or the bare
/// version.
fn normalize_set(set: &str) -> String {
    let comparators = split_comparators(set);
    if comparators.is_empty() {
        return String::new();
    }
    if comparators.len() == 1 && comparators[0].0.is_empty() {
        return strip_wildcards(strip_v(&comparators[0].1)).to_string();
    }
    comparators
        .iter()
        .filter(|(op, _)| is_lower_bound(op))
        .map(|(op, v)| {
            let v = strip_wildcards(strip_v(v));
            if op.is_empty() {
                v.to_string()
            } else {
                major_minor_of_full(v)
            }
        })
        .filter(|v| !v.is_empty())
        .max_by(|a, b| compare_versions(a, b))
        .unwrap_or_default()
}

/// Split `>= 18.2.1, <20` into `[(">=", "18.2.1"), ("<", "20")]`. Operators may be separated
/// from their version by spaces; comparators are separated by commas or spaces.
fn split_comparators(set: &str) -> Vec<(String, String)> {
    const OPS: &[char] = &['>', '<', '=', '^', '~', '!'];
    let mut out = Vec::new();
    let mut rest = set.trim();
    while !rest.is_empty() {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        if rest.is_empty() {
            break;
        }
        let op_len = rest.len() - rest.trim_start_matches(OPS).len();
        let op = rest[..op_len].to_string();
        rest = rest[op_len..].trim_start();
        // A version ends at a separator or at the next operator (`>=14<=22`).
        let end = rest
            .find(|c: char| c == ',' || c.is_whitespace() || OPS.contains(&c))
            .unwrap_or(rest.len());
        let v = rest[..end].to_string();
        rest = &rest[end..];
        if v.is_empty() && op.is_empty() {
            break;
        }
        out.push((op, v));
    }
    out
}

/// Lower-bound comparators: every operator except `<`, `<=` and `!=`.
fn is_lower_bound(op: &str) -> bool {
    !(op.starts_with('<') || op.starts_with('!'))
}

fn strip_v(v: &str) -> &str {
    match v.strip_prefix(['v', 'V']) {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
        _ => v,
    }
}

/// Drop trailing wildcard segments: `20.x` → `20`, `8.2.*` → `8.2`, `*` → ``.
fn strip_wildcards(v: &str) -> &str {
    let mut v = v;
    loop {
        if matches!(v, "*" | "x" | "X") {
            return "";
        }
        match v.rsplit_once('.') {
            Some((head, "x" | "X" | "*")) => v = head,
            _ => return v,
        }
    }
}

/// With a range operator, a full `X.Y.Z` keeps `X.Y` (the minor line the range allows).
fn major_minor_of_full(v: &str) -> String {
    let parts: Vec<&str> = v.split('.').collect();
    if parts.len() >= 3 && parts[..3].iter().all(|p| is_digits(p)) {
        format!("{}.{}", parts[0], parts[1])
    } else {
        v.to_string()
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Compare dotted versions numerically field by field (non-numeric fields compare as 0).
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let num = |s: &str| -> Vec<u64> {
        s.split('.')
            .map(|p| {
                let digits: String = p.chars().take_while(|c| c.is_ascii_digit()).collect();
                digits.parse().unwrap_or(0)
            })
            .collect()
    };
    let (x, y) = (num(a), num(b));
    for i in 0..x.len().max(y.len()) {
        let o = x.get(i).unwrap_or(&0).cmp(y.get(i).unwrap_or(&0));
        if o.is_ne() {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The normaliser table of the original. Where our corrected value differs from the original, the
    /// original's output is given in the comment.
    #[test]
    fn normaliser_table() {
        let cases = [
            ("20.x", "20"),
            ("22.*", "22"),
            (">=18", "18"),
            (">= 18.2.1", "18.2"),
            ("^20.11.1", "20.11"),
            ("~3.12.0", "3.12"),
            ("<22", ""), // original: 22 (upper bound taken as version)
            ("=20.1.0", "20.1"),
            ("~=3.11", "3.11"),
            (">=18 || >=20", "20"),
            ("^7.4 || ^8.0", "8.0"), // original: 8
            ("^8.1|^8.2", "8.2"),    // original: 8.1|^8.2
            ("v20.11.0", "20.11.0"),
            ("v18.x", "18"),
            ("20.10.0", "20.10.0"),
            ("8.2.*", "8.2"),    // original: 8.2.*
            (">=3.8,<4", "3.8"), // original: 3.8,<4
            (">=14 <=22", "14"), // original: 14<=22
            (">=14<=22", "14"),  // the original's space-stripped form
            ("3.x", "3"),
            ("*", ""),
            ("", ""),
            ("~> 3.2.0", "3.2"),
            ("==3.11.4", "3.11"),
            (">3.9, !=3.10.1", "3.9"),
            ("^18.0.0 || ^20.0.0", "20.0"),
            ("3.3.0-preview1", "3.3.0-preview1"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input), want, "normalize({input:?})");
        }
    }

    #[test]
    fn node_aliases() {
        let cases = [
            ("lts/*", "22"),
            ("lts/iron", "20"),
            ("lts/Hydrogen", "18"),
            ("lts/argon", "4"),
            ("lts/krypton", "24"),
            ("lts/jod", "22"),
            ("node", "22"),
            ("latest", "22"),
            ("lts/nosuchname", "lts/nosuchname"),
            ("20", "20"),
            ("v22.1.0", "22.1.0"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize_node(input), want, "normalize_node({input:?})");
        }
    }

    proptest::proptest! {
        /// Any input: no panic, no separators left in the output, and normalising twice
        /// changes nothing.
        #[test]
        fn normalize_is_clean_and_idempotent(s in "[ <>=^~!|,.xv*0-9a-z-]{0,24}|\\PC{0,24}") {
            let once = normalize(&s);
            proptest::prop_assert!(!once.contains(['|', ','].as_slice()), "{:?} -> {:?}", s, once);
            proptest::prop_assert!(!once.contains(char::is_whitespace), "{:?} -> {:?}", s, once);
            proptest::prop_assert_eq!(normalize(&once), once.clone(), "input {:?}", s);
            let _ = normalize_node(&s);
        }
    }

    #[test]
    fn version_ordering() {
        use std::cmp::Ordering::*;
        assert_eq!(compare_versions("8.0", "7.4"), Greater);
        assert_eq!(compare_versions("10", "9.9"), Greater);
        assert_eq!(compare_versions("3.12", "3.12"), Equal);
    }
}
