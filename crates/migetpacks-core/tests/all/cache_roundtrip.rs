//! Property test: whatever refs, paths and lists the cache variables hold, every spec in the
//! argv reads back — through a parser that behaves like Go's `encoding/csv`, which buildx uses —
//! into exactly the key/value pairs the settings describe.

use migetpacks_core::cache::{cache_args, CacheSettings};
use migetpacks_core::settings::EnvMap;
use proptest::prelude::*;

/// One record of Go's `encoding/csv.Reader` with default settings (`Comma=','`,
/// `LazyQuotes=false`, `TrimLeadingSpace=false`), for input without line breaks. A port of
/// `readRecord`'s `parseField` loop, written independently of the library's reader.
fn go_csv_record(line: &str) -> Result<Vec<String>, String> {
    let b = line.as_bytes();
    let mut fields = Vec::new();
    let mut pos = 0;
    loop {
        if pos < b.len() && b[pos] == b'"' {
            // Quoted field.
            let mut field = Vec::new();
            pos += 1;
            loop {
                match b[pos..].iter().position(|&c| c == b'"') {
                    None => return Err(format!("extraneous or missing \" in {line:?}")),
                    Some(i) => {
                        field.extend_from_slice(&b[pos..pos + i]);
                        pos += i + 1;
                        match b.get(pos) {
                            Some(b'"') => {
                                field.push(b'"');
                                pos += 1;
                            }
                            Some(b',') => {
                                pos += 1;
                                fields.push(String::from_utf8(field).map_err(|e| e.to_string())?);
                                break;
                            }
                            None => {
                                fields.push(String::from_utf8(field).map_err(|e| e.to_string())?);
                                return Ok(fields);
                            }
                            Some(_) => return Err(format!("extraneous \" in {line:?}")),
                        }
                    }
                }
            }
        } else {
            // Unquoted field: up to the next comma; a quote inside is ErrBareQuote.
            let end = b[pos..].iter().position(|&c| c == b',').map(|i| pos + i);
            let field = &line[pos..end.unwrap_or(b.len())];
            if field.contains('"') {
                return Err(format!("bare \" in non-quoted field of {line:?}"));
            }
            fields.push(field.to_string());
            match end {
                Some(e) => pos = e + 1,
                None => return Ok(fields),
            }
        }
    }
}

/// What buildx does with each field: split at the first `=`, lower-case the key.
fn buildx_pairs(spec: &str) -> Vec<(String, String)> {
    go_csv_record(spec)
        .unwrap_or_else(|e| panic!("buildx would reject {spec:?}: {e}"))
        .into_iter()
        .map(|f| {
            let (k, v) = f
                .split_once('=')
                .unwrap_or_else(|| panic!("field {f:?} of {spec:?} has no '='"));
            (k.to_ascii_lowercase(), v.to_string())
        })
        .collect()
}

/// Go's `csv.Writer` quoting, as a user would write a path into a spec line.
fn go_quote(field: &str) -> String {
    let needs = field.contains([',', '"', '\r', '\n'])
        || field.chars().next().is_some_and(char::is_whitespace);
    if needs {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

type Pairs = Vec<(String, String)>;

fn p(k: &str, v: &str) -> (String, String) {
    (k.to_string(), v.to_string())
}

/// A read-only source as written in `CACHE_FROM`.
#[derive(Debug, Clone)]
enum Source {
    Ref(String),
    Local(String),
}

#[derive(Debug, Clone)]
struct Case {
    image: Option<String>,
    bucket: Option<String>,
    sources: Vec<Source>,
    newline_form: bool,
    crlf: bool,
    insecure: bool,
    no_cache: bool,
    mode: Option<&'static str>,
}

fn reference() -> impl Strategy<Value = String> {
    // Registry refs must be image references (the OCI grammar keeps commas and quotes out);
    // commas and quotes in local paths (below) must survive the CSV round trip.
    "([a-z0-9]{1,8}\\.io(:[0-9]{2,4})?/)?[a-z0-9]{1,6}(/[a-z0-9]{1,6})?(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,8})?"
}

fn plain_reference() -> impl Strategy<Value = String> {
    reference()
}

fn path() -> impl Strategy<Value = String> {
    "/[A-Za-z0-9 ,\"._-]{0,16}[A-Za-z0-9,\"._-]"
}

fn case() -> impl Strategy<Value = Case> {
    let source = prop_oneof![
        reference().prop_map(Source::Ref),
        path().prop_map(Source::Local)
    ];
    (
        proptest::option::of(reference()),
        proptest::option::of("[a-z0-9.,\"-]{1,12}"),
        proptest::collection::vec(source, 0..4),
        proptest::collection::vec(plain_reference(), 0..4),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(prop_oneof![Just("min"), Just("max")]),
    )
        .prop_map(
            |(image, bucket, mixed, plain, newline_form, crlf, insecure, no_cache, mode)| Case {
                image,
                bucket,
                // The comma form can only hold refs without commas.
                sources: if newline_form {
                    mixed
                } else {
                    plain.into_iter().map(Source::Ref).collect()
                },
                newline_form,
                crlf,
                insecure,
                no_cache,
                mode,
            },
        )
}

impl Case {
    fn env(&self) -> EnvMap {
        let mut env = EnvMap::new();
        let mut set = |k: &str, v: String| {
            env.insert(k.to_string(), v);
        };
        if let Some(i) = &self.image {
            set("CACHE_IMAGE", i.clone());
        }
        if let Some(b) = &self.bucket {
            set("S3_CACHE_BUCKET", b.clone());
            set("AWS_SECRET_ACCESS_KEY", "never-in-argv-0123456789".into());
        }
        let items: Vec<String> = self
            .sources
            .iter()
            .map(|s| match s {
                Source::Ref(r) => r.clone(),
                Source::Local(dir) => format!("type=local,{}", go_quote(&format!("src={dir}"))),
            })
            .collect();
        if !items.is_empty() {
            let value = if self.newline_form {
                let sep = if self.crlf { "\r\n" } else { "\n" };
                // Always at least one newline, so the value is read line by line.
                format!("{}{sep}", items.join(sep))
            } else {
                format!(" {} ,", items.join(" , "))
            };
            set("CACHE_FROM", value);
        }
        set("CACHE_REGISTRY_INSECURE", self.insecure.to_string());
        set("NO_CACHE", self.no_cache.to_string());
        if let Some(m) = self.mode {
            set("CACHE_MODE", m.to_string());
        }
        env
    }

    fn registry(&self, r: &str) -> Pairs {
        let mut v = vec![p("type", "registry"), p("ref", r)];
        if self.insecure {
            v.push(p("registry.insecure", "true"));
        }
        v
    }

    /// The argv the settings describe, as (flag, pairs); `--no-cache` has no pairs.
    fn expected(&self) -> Vec<(String, Option<Pairs>)> {
        let mode = self.mode.unwrap_or("min");
        let mut out: Vec<(String, Option<Pairs>)> = Vec::new();
        let mut imports: Vec<Pairs> = Vec::new();
        if self.no_cache {
            out.push(("--no-cache".into(), None));
        }
        let primary: Option<(Pairs, Pairs)> = if let Some(bucket) = &self.bucket {
            let base = vec![
                p("type", "s3"),
                p("region", "us-east-1"),
                p("bucket", bucket),
            ];
            let mut export = base.clone();
            export.extend([p("mode", mode), p("ignore-error", "true")]);
            Some((base, export))
        } else {
            self.image.as_ref().map(|r| {
                let mut export = vec![p("type", "registry"), p("ref", r)];
                export.extend([p("mode", mode), p("ignore-error", "true")]);
                if self.insecure {
                    export.push(p("registry.insecure", "true"));
                }
                (self.registry(r), export)
            })
        };
        if let Some((import, export)) = primary {
            if !self.no_cache {
                imports.push(import.clone());
                out.push(("--cache-from".into(), Some(import)));
            }
            out.push(("--cache-to".into(), Some(export)));
        }
        if !self.no_cache {
            for s in &self.sources {
                let pairs = match s {
                    Source::Ref(r) => self.registry(r),
                    Source::Local(dir) => vec![p("type", "local"), p("src", dir)],
                };
                if !imports.contains(&pairs) {
                    imports.push(pairs.clone());
                    out.push(("--cache-from".into(), Some(pairs)));
                }
            }
        }
        out
    }
}

fn read_argv(argv: &[String]) -> Vec<(String, Option<Pairs>)> {
    let mut out = Vec::new();
    let mut it = argv.iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--no-cache" => out.push((flag.clone(), None)),
            "--cache-from" | "--cache-to" => {
                let spec = it.next().expect("a spec follows its flag");
                out.push((flag.clone(), Some(buildx_pairs(spec))));
            }
            other => panic!("unexpected argv element {other:?}"),
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn argv_round_trips_through_buildx_csv(case in case()) {
        let settings = CacheSettings::from_env(&case.env())
            .map_err(|e| TestCaseError::fail(format!("{e} for {case:?}")))?;
        let argv = cache_args(&settings);
        for a in &argv {
            prop_assert!(!a.contains(['\n', '\r']), "line break in {a:?}");
            prop_assert!(!a.contains("never-in-argv"), "secret in {a:?}");
        }
        prop_assert_eq!(read_argv(&argv), case.expected());
    }

    #[test]
    fn single_spec_values_round_trip(dir in path(), tag in reference()) {
        // A full spec in CACHE_IMAGE, written with buildx quoting, keeps every value.
        let spec = format!(
            "type=local,{},{}",
            go_quote(&format!("dest={dir}")),
            go_quote(&format!("tag={tag}"))
        );
        let mut env = EnvMap::new();
        env.insert("CACHE_IMAGE".into(), spec);
        let argv = cache_args(&CacheSettings::from_env(&env).map_err(|e| TestCaseError::fail(e.to_string()))?);
        prop_assert_eq!(
            buildx_pairs(&argv[1]),
            vec![p("type", "local"), p("src", &dir), p("tag", &tag)]
        );
        prop_assert_eq!(
            buildx_pairs(&argv[3]),
            vec![
                p("type", "local"),
                p("dest", &dir),
                p("tag", &tag),
                p("mode", "min"),
                p("ignore-error", "true")
            ]
        );
    }
}

#[test]
fn go_csv_port_matches_known_go_behaviour() {
    assert_eq!(
        go_csv_record("a,\"b,c\",\"d\"\"e\"").unwrap(),
        ["a", "b,c", "d\"e"]
    );
    assert_eq!(go_csv_record("a,").unwrap(), ["a", ""]);
    assert!(go_csv_record("a\"b").is_err());
    assert!(go_csv_record("\"a\"b").is_err());
    assert!(go_csv_record("\"a").is_err());
    assert!(go_csv_record(" \"a\"").is_err());
}
