//! Masking of secret values in everything the tool prints or writes.
//!
//! migetpacks masked `BUILD_VARS` values only in streamed build lines, by plain substring
//! replacement, so a one-character value masked every occurrence of that character while the
//! failure message carried the raw values (docs/security.md). Here one [`Masker`] is applied
//! to every emitted string (build output, error messages, the result file's `error`), values
//! shorter than [`MIN_SECRET_LEN`] characters are not used (with a warning that does not contain
//! the value), and overlapping secrets are masked completely.

use std::fmt;

/// What a masked run of text is replaced with.
pub const MASK: &str = "[MASKED]";
/// Shortest value (in characters) used as a mask: shorter ones would mask innocent text.
pub const MIN_SECRET_LEN: usize = 4;

/// Replaces secret values with [`MASK`]. Its `Debug` output never shows the values.
#[derive(Clone, Default)]
pub struct Masker {
    /// Distinct secrets, longest first (so scanning can stop at the first, longest match).
    secrets: Vec<Vec<u8>>,
    /// `first_byte[b]`: some secret starts with byte `b` (a cheap pre-filter per position).
    first_byte: Vec<bool>,
}

impl fmt::Debug for Masker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Masker")
            .field("secrets", &self.secrets.len())
            .finish()
    }
}

impl Masker {
    /// A masker for unlabelled secret values. Returns the warnings for values too short to
    /// mask (one per value, naming only its length).
    ///
    /// ```
    /// use migetpacks_core::mask::Masker;
    /// let (m, warnings) = Masker::new(&["s3cr3tvalue".to_string(), "ab".to_string()]);
    /// assert_eq!(m.mask("token=s3cr3tvalue; ab"), "token=[MASKED]; ab");
    /// assert_eq!(warnings.len(), 1);
    /// assert!(!warnings[0].contains("ab"));
    /// ```
    pub fn new(secrets: &[String]) -> (Masker, Vec<String>) {
        let labelled: Vec<(String, String)> = secrets
            .iter()
            .map(|s| ("secret".to_string(), s.clone()))
            .collect();
        Masker::labelled(&labelled)
    }

    /// A masker for `(label, value)` pairs; the label names the value's origin in warnings
    /// (`BUILD_VARS API_KEY`), never the value itself.
    pub fn labelled(secrets: &[(String, String)]) -> (Masker, Vec<String>) {
        let mut warnings = Vec::new();
        let mut values: Vec<Vec<u8>> = Vec::new();
        for (label, value) in secrets {
            if value.is_empty() {
                continue;
            }
            let len = value.chars().count();
            if len < MIN_SECRET_LEN {
                warnings.push(format!(
                    "{label} value of length {len} is too short to mask; it may appear in output"
                ));
                continue;
            }
            values.push(value.as_bytes().to_vec());
        }
        values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        values.dedup();
        let mut first_byte = vec![false; 256];
        for v in &values {
            first_byte[usize::from(v[0])] = true;
        }
        (
            Masker {
                secrets: values,
                first_byte,
            },
            warnings,
        )
    }

    /// True when there is nothing to mask.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// Mask a byte string (build output need not be UTF-8). Every byte covered by any
    /// occurrence of any secret is hidden; each maximal covered run becomes one [`MASK`], so
    /// overlapping or adjacent secrets leave no fragment behind.
    pub fn mask_bytes(&self, input: &[u8]) -> Vec<u8> {
        if self.secrets.is_empty() {
            return input.to_vec();
        }
        let mut covered = vec![false; input.len()];
        let mut any = false;
        for start in 0..input.len() {
            if !self.first_byte[usize::from(input[start])] {
                continue;
            }
            // Longest first: the first match at this start covers the most.
            if let Some(s) = self.secrets.iter().find(|s| input[start..].starts_with(s)) {
                covered[start..start + s.len()].fill(true);
                any = true;
            }
        }
        if !any {
            return input.to_vec();
        }
        let mut out = Vec::with_capacity(input.len());
        let mut i = 0;
        while i < input.len() {
            if covered[i] {
                out.extend_from_slice(MASK.as_bytes());
                while i < input.len() && covered[i] {
                    i += 1;
                }
            } else {
                out.push(input[i]);
                i += 1;
            }
        }
        out
    }

    /// Mask a string.
    pub fn mask(&self, input: &str) -> String {
        if self.secrets.is_empty() {
            return input.to_string();
        }
        let masked = self.mask_bytes(input.as_bytes());
        // Secrets are UTF-8 and UTF-8 is self-synchronising, so a match never splits a
        // character and the result is valid UTF-8; the lossy path only guards the type.
        String::from_utf8(masked)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(secrets: &[&str]) -> Masker {
        let v: Vec<String> = secrets.iter().map(|s| s.to_string()).collect();
        Masker::new(&v).0
    }

    #[test]
    fn masks_every_occurrence() {
        let m = m(&["s3cr3tvalue"]);
        assert_eq!(
            m.mask("a s3cr3tvalue b s3cr3tvalue"),
            "a [MASKED] b [MASKED]"
        );
        assert_eq!(m.mask("nothing here"), "nothing here");
        assert_eq!(m.mask(""), "");
    }

    #[test]
    fn short_values_are_skipped_with_a_warning_without_the_value() {
        let (m, w) = Masker::labelled(&[
            ("BUILD_VARS A".into(), "xy".into()),
            ("BUILD_VARS B".into(), "abcd".into()),
            ("BUILD_VARS C".into(), String::new()),
            ("BUILD_VARS D".into(), "ééé".into()),
        ]);
        assert_eq!(
            w,
            [
                "BUILD_VARS A value of length 2 is too short to mask; it may appear in output",
                "BUILD_VARS D value of length 3 is too short to mask; it may appear in output",
            ]
        );
        assert!(!w.iter().any(|x| x.contains("xy") || x.contains("ééé")));
        assert_eq!(m.mask("xy abcd ééé"), "xy [MASKED] ééé");
        let (_, w) = Masker::new(&["ab".into()]);
        assert_eq!(
            w,
            ["secret value of length 2 is too short to mask; it may appear in output"]
        );
    }

    #[test]
    fn overlapping_secrets_mask_fully() {
        // "abcdef" and "xxabc" overlap in "xxabcdef": no fragment of either may remain.
        let m1 = m(&["xxabc", "abcdef"]);
        assert_eq!(m1.mask("[xxabcdef]"), "[[MASKED]]");
        // A secret inside a longer one.
        let m2 = m(&["pass", "password123"]);
        assert_eq!(m2.mask("password123 pass"), "[MASKED] [MASKED]");
        // Repeated overlapping occurrences of one secret.
        let m3 = m(&["aaaa"]);
        assert_eq!(m3.mask("aaaaaa-aaa"), "[MASKED]-aaa");
    }

    #[test]
    fn the_mask_text_itself_is_not_remasked() {
        // A secret that occurs in "[MASKED]" must not corrupt already masked output.
        let m = m(&["MASK", "topsecret"]);
        assert_eq!(m.mask("topsecret"), "[MASKED]");
        assert_eq!(m.mask("MASK"), "[MASKED]");
    }

    #[test]
    fn bytes_and_unicode() {
        let m = m(&["pässwörd"]);
        assert_eq!(m.mask("x pässwörd y"), "x [MASKED] y");
        let input: Vec<u8> = [b"\xff\xfe x ".as_slice(), "pässwörd".as_bytes(), b" \xff"].concat();
        assert_eq!(
            m.mask_bytes(&input),
            [&input[..5], b"[MASKED] \xff".as_slice()].concat()
        );
    }

    #[test]
    fn debug_does_not_leak() {
        let m = m(&["hunter2hunter2"]);
        let d = format!("{m:?}");
        assert!(!d.contains("hunter2"), "{d}");
        assert_eq!(d, "Masker { secrets: 1 }");
        assert!(Masker::default().is_empty());
    }

    proptest::proptest! {
        #[test]
        fn no_secret_survives(
            secrets in proptest::collection::vec("[a-c]{4,7}", 1..4),
            text in "[a-c x]{0,60}",
        ) {
            let (m, _) = Masker::new(&secrets);
            let out = m.mask(&text);
            for s in &secrets {
                proptest::prop_assert!(!out.contains(s.as_str()), "{s} in {out}");
            }
        }
    }
}
