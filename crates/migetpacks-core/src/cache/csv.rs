//! The CSV dialect buildx uses for `--cache-from`/`--cache-to` values.
//!
//! buildx reads each value as one record of Go's `encoding/csv` with default settings
//! (`,` separator, `"` quoting, no lazy quotes, leading spaces kept). Writing and reading here
//! follow the same rules, so a value with a comma or a quote reaches BuildKit intact.

use std::borrow::Cow;

/// A value that is not one well-formed CSV record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// A `"` inside a field that does not start with a quote.
    #[error("bare \" in unquoted field {field}; quote the whole key=value field")]
    BareQuote {
        /// 1-based field number.
        field: usize,
    },
    /// A quoted field that is not closed, or has text after its closing quote.
    #[error("extraneous or missing \" in quoted field {field}")]
    Quote {
        /// 1-based field number.
        field: usize,
    },
}

/// Quote one field the way Go's `csv.Writer` does: only when it contains `,`, `"`, CR or LF,
/// starts with white space, or is exactly `\.`; inner quotes are doubled.
pub fn quote(field: &str) -> Cow<'_, str> {
    let needs = field == r"\."
        || field.contains([',', '"', '\r', '\n'])
        || field.chars().next().is_some_and(char::is_whitespace);
    if needs {
        Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(field)
    }
}

/// Render `key=value` pairs as one buildx spec: each `key=value` field quoted as needed.
pub fn join<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| quote(&format!("{}={}", k.as_ref(), v.as_ref())).into_owned())
        .collect::<Vec<_>>()
        .join(",")
}

/// Split one record into fields (the reader side of [`quote`]).
pub fn split(record: &str) -> Result<Vec<String>, CsvError> {
    let mut fields = Vec::new();
    let mut rest = record;
    loop {
        let n = fields.len() + 1;
        if let Some(after_quote) = rest.strip_prefix('"') {
            // Quoted field: runs to a `"` that is followed by `,` or the end; `""` is a quote.
            let mut field = String::new();
            let mut s = after_quote;
            loop {
                let Some(i) = s.find('"') else {
                    return Err(CsvError::Quote { field: n });
                };
                field.push_str(&s[..i]);
                s = &s[i + 1..];
                if let Some(r) = s.strip_prefix('"') {
                    field.push('"');
                    s = r;
                } else if let Some(r) = s.strip_prefix(',') {
                    fields.push(field);
                    rest = r;
                    break;
                } else if s.is_empty() {
                    fields.push(field);
                    return Ok(fields);
                } else {
                    return Err(CsvError::Quote { field: n });
                }
            }
        } else {
            let (field, next) = match rest.find(',') {
                Some(i) => (&rest[..i], Some(&rest[i + 1..])),
                None => (rest, None),
            };
            if field.contains('"') {
                return Err(CsvError::BareQuote { field: n });
            }
            fields.push(field.to_string());
            match next {
                Some(r) => rest = r,
                None => return Ok(fields),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_follows_go_writer() {
        assert_eq!(quote("ref=r.io/a:1"), "ref=r.io/a:1");
        assert_eq!(quote("dest=/a,b"), "\"dest=/a,b\"");
        assert_eq!(quote("ref=a\"b"), "\"ref=a\"\"b\"");
        assert_eq!(quote(" x"), "\" x\"");
        assert_eq!(quote(r"\."), "\"\\.\"");
        assert_eq!(quote(""), "");
    }

    #[test]
    fn split_reads_what_join_writes() {
        let pairs = [("type", "local"), ("dest", "/c/a,b"), ("tag", "q\"t")];
        let s = join(&pairs);
        assert_eq!(s, "type=local,\"dest=/c/a,b\",\"tag=q\"\"t\"");
        assert_eq!(
            split(&s).unwrap(),
            vec!["type=local", "dest=/c/a,b", "tag=q\"t"]
        );
    }

    #[test]
    fn split_edge_cases() {
        assert_eq!(split("a,,b,").unwrap(), vec!["a", "", "b", ""]);
        assert_eq!(split("\"\"").unwrap(), vec![""]);
        assert_eq!(
            split("a=\"x\"").unwrap_err(),
            CsvError::BareQuote { field: 1 }
        );
        assert_eq!(split("a,\"x").unwrap_err(), CsvError::Quote { field: 2 });
        assert_eq!(split("\"x\"y").unwrap_err(), CsvError::Quote { field: 1 });
        assert_eq!(
            split(" \"x\"").unwrap_err(),
            CsvError::BareQuote { field: 1 }
        );
    }
}
