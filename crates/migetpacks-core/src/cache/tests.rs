//! Table tests: every row and example of the decision table in docs/caching.md, every backend, quoting, errors.

use super::*;

fn env(pairs: &[(&str, &str)]) -> EnvMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn args(pairs: &[(&str, &str)]) -> Vec<String> {
    let settings = CacheSettings::from_env(&env(pairs)).unwrap_or_else(|e| panic!("{e}"));
    cache_args(&settings)
}

fn err(pairs: &[(&str, &str)]) -> String {
    CacheSettings::from_env(&env(pairs))
        .map(|s| format!("unexpected success: {:?}", cache_args(&s)))
        .unwrap_or_else(|e| e.to_string())
}

/// The argv the original's flag string word-splits into.
fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

const S3_KEYS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKEYID0001"),
    (
        "AWS_SECRET_ACCESS_KEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE",
    ),
];
const S3_IMPORT: &str =
    "type=s3,region=us-east-1,bucket=bk,endpoint_url=http://minio:9000,use_path_style=true";

fn with_s3(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![
        ("S3_CACHE_BUCKET", "bk"),
        ("S3_CACHE_ENDPOINT", "http://minio:9000"),
    ];
    v.extend(S3_KEYS);
    v.extend(extra);
    v
}

fn assert_no_secret(argv: &[String]) {
    for a in argv {
        for (_, secret) in S3_KEYS {
            assert!(!a.contains(secret), "secret in argv element {a:?}");
        }
        assert!(!a.contains("access_key"), "{a}");
    }
}

// ---- decision table --------------------------------------------------------------------

#[test]
fn row_s3_import_and_export() {
    // S3 wins over CACHE_IMAGE; the keys stay out of argv (docs/security.md).
    let a = args(&with_s3(&[("CACHE_IMAGE", "r.io/a:cache")]));
    assert_eq!(
        a,
        words(&format!(
            "--cache-from {S3_IMPORT} --cache-to {S3_IMPORT},mode=min,ignore-error=true"
        ))
    );
    assert_no_secret(&a);
}

#[test]
fn row_s3_no_cache() {
    let a = args(&with_s3(&[
        ("NO_CACHE", "true"),
        ("CACHE_IMAGE", "r.io/a:c"),
    ]));
    assert_eq!(
        a,
        words(&format!(
            "--no-cache --cache-to {S3_IMPORT},mode=min,ignore-error=true"
        ))
    );
    assert_no_secret(&a);
}

#[test]
fn row_registry_import_and_export() {
    assert_eq!(
        args(&[("CACHE_IMAGE", "r.io/a:cache")]),
        words(
            "--cache-from type=registry,ref=r.io/a:cache \
             --cache-to type=registry,ref=r.io/a:cache,mode=min,ignore-error=true"
        )
    );
    assert_eq!(
        args(&[
            ("CACHE_IMAGE", "r.io/a:cache"),
            ("CACHE_REGISTRY_INSECURE", "true"),
            ("CACHE_MODE", "max"),
        ]),
        words(
            "--cache-from type=registry,ref=r.io/a:cache,registry.insecure=true \
             --cache-to type=registry,ref=r.io/a:cache,mode=max,ignore-error=true,registry.insecure=true"
        )
    );
}

#[test]
fn row_registry_no_cache() {
    assert_eq!(
        args(&[("CACHE_IMAGE", "r.io/a:cache"), ("NO_CACHE", "true")]),
        words("--no-cache --cache-to type=registry,ref=r.io/a:cache,mode=min,ignore-error=true")
    );
}

#[test]
fn row_nothing_but_no_cache() {
    assert_eq!(args(&[("NO_CACHE", "true")]), words("--no-cache"));
}

#[test]
fn row_nothing() {
    assert!(args(&[]).is_empty());
    // Empty values mean unset.
    assert!(args(&[("CACHE_IMAGE", ""), ("NO_CACHE", ""), ("CACHE_FROM", " ")]).is_empty());
}

#[test]
fn s3_without_bucket_falls_through_to_registry() {
    let mut e = vec![
        ("S3_CACHE_ENDPOINT", "http://minio:9000"),
        ("CACHE_IMAGE", "r.io/a:c"),
    ];
    e.extend(S3_KEYS);
    let s = CacheSettings::from_env(&env(&e)).unwrap();
    assert_eq!(
        cache_args(&s),
        words("--cache-from type=registry,ref=r.io/a:c --cache-to type=registry,ref=r.io/a:c,mode=min,ignore-error=true")
    );
    assert_eq!(s.ignored[0].var, "S3_CACHE_ENDPOINT");
}

#[test]
fn s3_keys_are_optional() {
    // Deliberate difference: the bucket alone selects s3; buildx brings the credentials.
    let a = args(&[("S3_CACHE_BUCKET", "bk"), ("S3_CACHE_REGION", "eu-west-1")]);
    assert_eq!(
        a,
        words(
            "--cache-from type=s3,region=eu-west-1,bucket=bk \
             --cache-to type=s3,region=eu-west-1,bucket=bk,mode=min,ignore-error=true"
        )
    );
}

#[test]
fn s3_keys_in_environment_never_reach_argv() {
    let mut e = with_s3(&[("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEXAMPLETOKEN")]);
    e.push(("CACHE_FROM", "r.io/x:1"));
    let s = CacheSettings::from_env(&env(&e)).unwrap();
    let a = cache_args(&s);
    assert_no_secret(&a);
    assert!(a.iter().all(|x| !x.contains("FwoGZXIvYXdzEXAMPLETOKEN")));
    let names = cache_env(&s);
    for n in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
    ] {
        assert!(names.contains(&n), "{n}");
    }
}

#[test]
fn s3_name_from_cache_key() {
    assert_eq!(
        args(&[("S3_CACHE_BUCKET", "bk"), ("CACHE_KEY", "shop")]),
        words(
            "--cache-from type=s3,region=us-east-1,bucket=bk,name=shop \
             --cache-to type=s3,region=us-east-1,bucket=bk,name=shop,mode=min,ignore-error=true"
        )
    );
}

#[test]
fn s3_wins_and_says_so() {
    let s = CacheSettings::from_env(&env(&with_s3(&[("CACHE_IMAGE", "r.io/a:c")]))).unwrap();
    assert!(s
        .notes()
        .iter()
        .any(|n| n.starts_with("CACHE_IMAGE is ignored")));
}

// ---- CACHE_FROM -------------------------------------------------------------------------

#[test]
fn example_cache_from_trimmed_and_empty_items_skipped() {
    assert_eq!(
        args(&[
            ("CACHE_IMAGE", "r.io/a:cache"),
            ("CACHE_FROM", " r.io/a:main , ,r.io/b:dev "),
        ]),
        words(
            "--cache-from type=registry,ref=r.io/a:cache \
             --cache-to type=registry,ref=r.io/a:cache,mode=min,ignore-error=true \
             --cache-from type=registry,ref=r.io/a:main \
             --cache-from type=registry,ref=r.io/b:dev"
        )
    );
}

#[test]
fn example_no_cache_insecure() {
    assert_eq!(
        args(&[
            ("CACHE_IMAGE", "r.io/a:cache"),
            ("NO_CACHE", "true"),
            ("CACHE_REGISTRY_INSECURE", "true"),
        ]),
        words(
            "--no-cache --cache-to \
             type=registry,ref=r.io/a:cache,mode=min,ignore-error=true,registry.insecure=true"
        )
    );
}

#[test]
fn example_cache_from_alone_insecure() {
    assert_eq!(
        args(&[
            ("CACHE_FROM", "r.io/x:1,r.io/y:2"),
            ("CACHE_REGISTRY_INSECURE", "true"),
        ]),
        words(
            "--cache-from type=registry,ref=r.io/x:1,registry.insecure=true \
             --cache-from type=registry,ref=r.io/y:2,registry.insecure=true"
        )
    );
}

#[test]
fn example_no_cache_one() {
    // Deliberate difference: NO_CACHE=1 is true here (migetpacks only knew "true").
    assert_eq!(
        args(&[("CACHE_IMAGE", "r.io/a:c"), ("NO_CACHE", "1")]),
        words("--no-cache --cache-to type=registry,ref=r.io/a:c,mode=min,ignore-error=true")
    );
    assert_eq!(
        args(&[("CACHE_IMAGE", "r.io/a:c"), ("NO_CACHE", "false")]),
        words("--cache-from type=registry,ref=r.io/a:c --cache-to type=registry,ref=r.io/a:c,mode=min,ignore-error=true")
    );
}

#[test]
fn cache_from_comes_after_s3_flags() {
    let a = args(&with_s3(&[("CACHE_FROM", "r.io/x:1")]));
    assert_eq!(a[0], "--cache-from");
    assert!(a[1].starts_with("type=s3,"));
    assert_eq!(a[2], "--cache-to");
    assert_eq!(&a[4..], ["--cache-from", "type=registry,ref=r.io/x:1"]);
}

#[test]
fn no_cache_skips_every_import() {
    for extra in [
        vec![("CACHE_FROM", "r.io/x:1,r.io/y:2")],
        vec![("CACHE_FROM", "type=local,src=/c\nr.io/x:1")],
        vec![
            ("CACHE_FROM", "r.io/x:1"),
            ("CACHE_IMAGE", "type=gha,scope=a"),
        ],
    ] {
        let mut e = extra.clone();
        e.push(("NO_CACHE", "yes"));
        let a = args(&e);
        assert!(a.iter().all(|x| x != "--cache-from"), "{extra:?}: {a:?}");
        assert_eq!(a[0], "--no-cache");
        // Without NO_CACHE the same settings do import.
        assert!(
            args(&extra).iter().any(|x| x == "--cache-from"),
            "{extra:?}"
        );
    }
}

#[test]
fn cache_from_newline_form_mixes_refs_and_specs() {
    let a = args(&[(
        "CACHE_FROM",
        "r.io/a:main\r\n\n  type=local,dest=/cache/bk,mode=max \ntype=gha,scope=main\n",
    )]);
    assert_eq!(
        a,
        [
            "--cache-from",
            "type=registry,ref=r.io/a:main",
            "--cache-from",
            "type=local,src=/cache/bk",
            "--cache-from",
            "type=gha,scope=main",
        ]
    );
}

#[test]
fn cache_from_single_line_spec() {
    assert_eq!(
        args(&[("CACHE_FROM", "type=s3,bucket=b,region=r,prefix=main/")]),
        ["--cache-from", "type=s3,bucket=b,region=r,prefix=main/"]
    );
}

#[test]
fn duplicate_imports_are_given_once() {
    assert_eq!(
        args(&[
            ("CACHE_IMAGE", "r.io/a:c"),
            ("CACHE_FROM", "r.io/a:c,r.io/b:c,r.io/b:c")
        ]),
        words(
            "--cache-from type=registry,ref=r.io/a:c \
             --cache-to type=registry,ref=r.io/a:c,mode=min,ignore-error=true \
             --cache-from type=registry,ref=r.io/b:c"
        )
    );
}

// ---- backends -------------------------------------------------------------------------

#[test]
fn local_import_is_derived_from_export() {
    assert_eq!(
        args(&[("CACHE_IMAGE", "type=local,dest=/cache/bk")]),
        [
            "--cache-from",
            "type=local,src=/cache/bk",
            "--cache-to",
            "type=local,dest=/cache/bk,mode=min,ignore-error=true",
        ]
    );
    // src= works too, and export-only attributes stay on the export side.
    assert_eq!(
        args(&[(
            "CACHE_IMAGE",
            "type=local,src=/c,compression=zstd,tag=app,digest=sha256:ab"
        )]),
        [
            "--cache-from",
            "type=local,src=/c,tag=app,digest=sha256:ab",
            "--cache-to",
            "type=local,dest=/c,compression=zstd,tag=app,mode=min,ignore-error=true",
        ]
    );
}

#[test]
fn gha_backend() {
    let s = CacheSettings::from_env(&env(&[
        ("CACHE_IMAGE", "type=gha,scope=app"),
        ("CACHE_MODE", "max"),
    ]))
    .unwrap();
    assert_eq!(
        cache_args(&s),
        [
            "--cache-from",
            "type=gha,scope=app",
            "--cache-to",
            "type=gha,scope=app,mode=max,ignore-error=true",
        ]
    );
    assert_eq!(
        cache_env(&s),
        [
            "ACTIONS_RUNTIME_TOKEN",
            "ACTIONS_CACHE_URL",
            "ACTIONS_RESULTS_URL",
            "ACTIONS_CACHE_SERVICE_V2"
        ]
    );
}

#[test]
fn s3_full_spec() {
    let a = args(&[(
        "CACHE_IMAGE",
        "type=s3,bucket=b,region=eu-central-1,prefix=app/,upload_parallelism=8",
    )]);
    assert_eq!(
        a,
        [
            "--cache-from",
            "type=s3,bucket=b,region=eu-central-1,prefix=app/",
            "--cache-to",
            "type=s3,bucket=b,region=eu-central-1,prefix=app/,upload_parallelism=8,mode=min,ignore-error=true",
        ]
    );
}

#[test]
fn azblob_backend() {
    let s = CacheSettings::from_env(&env(&[(
        "CACHE_IMAGE",
        "type=azblob,account_url=https://acct.blob.core.windows.net,name=app",
    )]))
    .unwrap();
    assert_eq!(
        cache_args(&s),
        [
            "--cache-from",
            "type=azblob,account_url=https://acct.blob.core.windows.net,name=app",
            "--cache-to",
            "type=azblob,account_url=https://acct.blob.core.windows.net,name=app,mode=min,ignore-error=true",
        ]
    );
    assert!(cache_env(&s).is_empty());
}

#[test]
fn registry_full_spec_keeps_user_attributes() {
    assert_eq!(
        args(&[(
            "CACHE_IMAGE",
            "TYPE=registry,ref=r.io/a:c,image-manifest=true,oci-mediatypes=true"
        )]),
        [
            "--cache-from",
            "type=registry,ref=r.io/a:c",
            "--cache-to",
            "type=registry,ref=r.io/a:c,image-manifest=true,oci-mediatypes=true,mode=min,ignore-error=true",
        ]
    );
}

#[test]
fn inline_imports_from_the_pushed_image() {
    assert_eq!(
        args(&[
            ("CACHE_IMAGE", "type=inline"),
            ("OUTPUT_IMAGE", "r.io/app:v1"),
        ]),
        [
            "--cache-from",
            "type=registry,ref=r.io/app:v1",
            "--cache-to",
            "type=inline,ignore-error=true",
        ]
    );
    // Not pushed (":local" or PUSH_IMAGE=false): nothing to import.
    for out in [
        vec![("OUTPUT_IMAGE", "app:local")],
        vec![("OUTPUT_IMAGE", "r.io/app:v1"), ("PUSH_IMAGE", "false")],
        vec![],
    ] {
        let mut e = out.clone();
        e.push(("CACHE_IMAGE", "type=inline"));
        assert_eq!(
            args(&e),
            ["--cache-to", "type=inline,ignore-error=true"],
            "{out:?}"
        );
    }
    assert_eq!(
        args(&[
            ("CACHE_IMAGE", "type=inline"),
            ("OUTPUT_IMAGE", "app:local"),
            ("PUSH_IMAGE", "true"),
        ])[1],
        "type=registry,ref=app:local"
    );
}

#[test]
fn inline_rejects_max_and_attributes() {
    let e = err(&[("CACHE_IMAGE", "type=inline"), ("CACHE_MODE", "max")]);
    assert!(e.starts_with("CACHE_MODE") && e.contains("inline"), "{e}");
    let e = err(&[("CACHE_IMAGE", "type=inline,mode=max")]);
    assert!(e.starts_with("CACHE_IMAGE"), "{e}");
    let e = err(&[("CACHE_IMAGE", "type=inline,ref=x")]);
    assert!(e.starts_with("CACHE_IMAGE") && e.contains("ref"), "{e}");
    let e = err(&[("CACHE_FROM", "type=inline")]);
    assert!(e.starts_with("CACHE_FROM"), "{e}");
}

#[test]
fn every_export_ignores_errors() {
    for image in [
        "r.io/a:c",
        "type=registry,ref=r.io/a:c",
        "type=local,dest=/c",
        "type=gha",
        "type=s3,bucket=b,region=r",
        "type=azblob,account_url=https://a.blob.core.windows.net",
        "type=inline",
    ] {
        let a = args(&[("CACHE_IMAGE", image)]);
        let i = a.iter().position(|x| x == "--cache-to").unwrap();
        assert!(a[i + 1].contains(",ignore-error=true"), "{image}: {a:?}");
        assert!(
            a.iter()
                .filter(|x| x.starts_with("type="))
                .filter(|x| x.contains("ignore-error"))
                .count()
                == 1,
            "only the export: {a:?}"
        );
    }
}

// ---- insecure × backends ------------------------------------------------------------------

#[test]
fn insecure_applies_to_registry_specs_only() {
    let cases: [(&str, bool); 7] = [
        ("r.io/a:c", true),
        ("type=registry,ref=r.io/a:c", true),
        ("type=local,dest=/c", false),
        ("type=gha,scope=x", false),
        ("type=s3,bucket=b,region=r", false),
        (
            "type=azblob,account_url=https://a.blob.core.windows.net",
            false,
        ),
        ("type=inline", true),
    ];
    for (image, registry) in cases {
        let a = args(&[
            ("CACHE_IMAGE", image),
            ("CACHE_REGISTRY_INSECURE", "true"),
            ("OUTPUT_IMAGE", "r.io/app:v1"),
            ("CACHE_FROM", "r.io/x:1\ntype=local,src=/other"),
        ]);
        let specs: Vec<&String> = a.iter().filter(|x| x.starts_with("type=")).collect();
        for spec in specs {
            let is_registry = spec.starts_with("type=registry,");
            assert_eq!(
                spec.contains("registry.insecure=true"),
                is_registry,
                "{image}: {spec}"
            );
        }
        // The primary import of an inline cache is a registry import.
        let import = &a[1];
        assert_eq!(
            import.contains("registry.insecure=true"),
            registry,
            "{image}: {a:?}"
        );
    }
    // S3 from the S3_* variables is never insecure.
    let a = args(&with_s3(&[("CACHE_REGISTRY_INSECURE", "true")]));
    assert!(a.iter().all(|x| !x.contains("insecure")));
}

#[test]
fn user_insecure_attribute_is_not_doubled() {
    assert_eq!(
        args(&[
            (
                "CACHE_IMAGE",
                "type=registry,ref=r.io/a:c,registry.insecure=true"
            ),
            ("CACHE_REGISTRY_INSECURE", "true"),
        ]),
        [
            "--cache-from",
            "type=registry,ref=r.io/a:c,registry.insecure=true",
            "--cache-to",
            "type=registry,ref=r.io/a:c,registry.insecure=true,mode=min,ignore-error=true",
        ]
    );
}

// ---- quoting ----------------------------------------------------------------------------

#[test]
fn comma_and_quote_are_csv_quoted() {
    // A registry ref must be an image reference, which keeps `,` and `"` out of it.
    for bad in ["r.io/a,b:c", "r.io/a\"b:c"] {
        let e = CacheSettings::from_env(&env(&[("CACHE_IMAGE", bad)])).unwrap_err();
        assert!(
            matches!(e, CacheError::InvalidRef { .. }) && e.to_string().starts_with("CACHE_IMAGE"),
            "{bad}: {e}"
        );
    }
    // A path with a comma and a quote, written CSV-quoted in the spec as buildx expects.
    assert_eq!(
        args(&[("CACHE_IMAGE", "type=local,\"dest=/cache/a,b\"\"c\"")]),
        [
            "--cache-from",
            "type=local,\"src=/cache/a,b\"\"c\"",
            "--cache-to",
            "type=local,\"dest=/cache/a,b\"\"c\",mode=min,ignore-error=true",
        ]
    );
    // Spaces inside a path need no quoting and survive as one argv element.
    assert_eq!(
        args(&[("CACHE_IMAGE", "type=local,dest=/cache/my app")])[1],
        "type=local,src=/cache/my app"
    );
}

// ---- errors -------------------------------------------------------------------------------

#[test]
fn invalid_mode() {
    for bad in ["all", "minimal", "1"] {
        let e = err(&[("CACHE_IMAGE", "r.io/a:c"), ("CACHE_MODE", bad)]);
        assert!(e.starts_with("CACHE_MODE") && e.contains(bad), "{e}");
    }
    let e = err(&[("CACHE_MODE", "fast")]);
    assert!(
        e.starts_with("CACHE_MODE"),
        "validated even without a cache: {e}"
    );
    assert_eq!(
        args(&[("CACHE_IMAGE", "r.io/a:c"), ("CACHE_MODE", " MAX ")])[3],
        "type=registry,ref=r.io/a:c,mode=max,ignore-error=true"
    );
    let e = err(&[("CACHE_IMAGE", "type=gha,mode=everything")]);
    assert!(e.starts_with("CACHE_IMAGE"), "{e}");
}

#[test]
fn mode_in_spec() {
    assert_eq!(
        args(&[("CACHE_IMAGE", "type=gha,mode=max")])[3],
        "type=gha,mode=max,ignore-error=true"
    );
    assert_eq!(
        args(&[("CACHE_IMAGE", "type=gha,mode=max"), ("CACHE_MODE", "max")])[3],
        "type=gha,mode=max,ignore-error=true"
    );
    let e = err(&[("CACHE_IMAGE", "type=gha,mode=max"), ("CACHE_MODE", "min")]);
    assert!(e.contains("CACHE_IMAGE") && e.contains("CACHE_MODE"), "{e}");
}

#[test]
fn invalid_refs_name_the_variable() {
    let cases: [(&str, &str); 7] = [
        ("CACHE_IMAGE", "r.io/a b:c"),
        ("CACHE_IMAGE", "r.io/a:c\n--push"),
        ("CACHE_IMAGE", "ref=r.io/a"),
        ("CACHE_IMAGE", "type=registry,ref=r.io/a\tb"),
        ("CACHE_FROM", "r.io/a:c,r.io/b\tx"),
        ("CACHE_FROM", "r.io/a:c,type=gha"),
        ("CACHE_FROM", "r.io/a:c\nr.io/b c"),
    ];
    for (var, value) in cases {
        let e = err(&[(var, value)]);
        assert!(e.starts_with(var), "{var}={value:?}: {e}");
    }
}

#[test]
fn malformed_specs() {
    let cases: [(&str, &str); 9] = [
        ("type=nfs,path=/x", "unknown cache type"),
        ("type=registry", "ref="),
        ("type=registry,ref=", "empty reference"),
        ("type=local", "dest="),
        ("type=local,dest=/a,src=/b", "differ"),
        ("type=gha,scope=a,scope=b", "twice"),
        ("type=gha,scope", "not key=value"),
        ("type=local,dest=/a\"b", "bare \""),
        ("type=gha,ignore-error=false", "ignore-error"),
    ];
    for (spec, want) in cases {
        let e = err(&[("CACHE_IMAGE", spec)]);
        assert!(
            e.starts_with("CACHE_IMAGE") && e.contains(want),
            "{spec}: {e}"
        );
    }
}

#[test]
fn credentials_in_specs_are_refused_without_echoing_them() {
    for (spec, key) in [
        (
            "type=s3,bucket=b,region=r,secret_access_key=TOPSECRETVALUE",
            "secret_access_key",
        ),
        (
            "type=s3,bucket=b,access_key_id=TOPSECRETVALUE",
            "access_key_id",
        ),
        ("type=gha,token=TOPSECRETVALUE", "token"),
        (
            "type=azblob,secret_access_key=TOPSECRETVALUE",
            "secret_access_key",
        ),
    ] {
        let e = err(&[("CACHE_IMAGE", spec)]);
        assert!(e.starts_with("CACHE_IMAGE") && e.contains(key), "{e}");
        assert!(!e.contains("TOPSECRETVALUE"), "{e}");
        let e = err(&[("CACHE_FROM", spec)]);
        assert!(e.starts_with("CACHE_FROM"), "{e}");
    }
}

#[test]
fn booleans_and_keys() {
    let e = err(&[("CACHE_REGISTRY_INSECURE", "perhaps")]);
    assert!(
        e.starts_with("CACHE_REGISTRY_INSECURE") && e.contains("perhaps"),
        "{e}"
    );
    let e = err(&[("S3_CACHE_BUCKET", "b"), ("CACHE_KEY", "a/b")]);
    assert!(e.starts_with("CACHE_KEY"), "{e}");
    let e = err(&[("CACHE_IMAGE", "type=inline"), ("OUTPUT_IMAGE", "r.io/a b")]);
    assert!(e.starts_with("OUTPUT_IMAGE"), "{e}");
}

// ---- notes and env ------------------------------------------------------------------------

#[test]
fn notes_explain_min_mode() {
    let min = CacheSettings::from_env(&env(&[("CACHE_IMAGE", "r.io/a:c")])).unwrap();
    assert!(min.min_mode_note().unwrap().contains("CACHE_MODE=max"));
    assert!(min.notes().is_empty());
    let max = CacheSettings::from_env(&env(&[("CACHE_IMAGE", "r.io/a:c"), ("CACHE_MODE", "max")]))
        .unwrap();
    assert!(max.min_mode_note().is_none());
    let inline = CacheSettings::from_env(&env(&[("CACHE_IMAGE", "type=inline")])).unwrap();
    assert!(inline.min_mode_note().is_none());
    assert!(CacheSettings::default().min_mode_note().is_none());
}

#[test]
fn cache_env_follows_what_buildx_is_given() {
    let s = CacheSettings::from_env(&env(&[
        ("CACHE_IMAGE", "r.io/a:c"),
        (
            "CACHE_FROM",
            "type=gha,scope=main\ntype=s3,bucket=b,region=r",
        ),
    ]))
    .unwrap();
    let names = cache_env(&s);
    assert!(names.contains(&"ACTIONS_RUNTIME_TOKEN") && names.contains(&"AWS_ACCESS_KEY_ID"));
    let no_cache = CacheSettings {
        no_cache: true,
        ..s
    };
    assert!(
        cache_env(&no_cache).is_empty(),
        "sources are not given to buildx"
    );
    assert!(
        cache_env(&CacheSettings::from_env(&env(&[("CACHE_IMAGE", "r.io/a:c")])).unwrap())
            .is_empty()
    );
}
