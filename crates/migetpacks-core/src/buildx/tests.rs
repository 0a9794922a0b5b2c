use super::*;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

fn base() -> BuildxInput {
    BuildxInput {
        platform: "linux/amd64".into(),
        builder: None,
        cache_args: vec![],
        build_args: vec![],
        repo_args: vec![],
        secrets: vec![],
        dockerfile: "/tmp/mp/Dockerfile.runtime".into(),
        tags: vec!["reg.io/acme/app:v1".into()],
        push: true,
        metadata_file: "/tmp/mp/metadata.json".into(),
        network_host: true,
        context: "/workspace/source".into(),
        target: None,
    }
}

fn argv(inp: &BuildxInput) -> String {
    buildx_command(inp).unwrap().args.join(" ")
}

fn err(inp: &BuildxInput) -> String {
    buildx_command(inp).unwrap_err().to_string()
}

const BASE: &str = "buildx build --progress=plain --platform linux/amd64 -f /tmp/mp/Dockerfile.runtime -t reg.io/acme/app:v1 --push --metadata-file /tmp/mp/metadata.json --network=host /workspace/source";

#[test]
fn minimal_command() {
    let cmd = buildx_command(&base()).unwrap();
    assert_eq!(cmd.program, "docker");
    assert_eq!(cmd.args.join(" "), BASE);
    assert!(cmd.env.is_empty());
}

#[test]
fn builder_platform_and_cache_args() {
    let inp = BuildxInput {
        platform: "linux/arm64".into(),
        builder: Some("mp-builder".into()),
        cache_args: vec![
            "--cache-from".into(),
            "type=registry,ref=reg.io/c:cache".into(),
            "--cache-to".into(),
            "type=registry,ref=reg.io/c:cache,mode=min,ignore-error=true".into(),
        ],
        ..base()
    };
    assert_eq!(
        argv(&inp),
        "buildx build --progress=plain --platform linux/arm64 --builder mp-builder --cache-from type=registry,ref=reg.io/c:cache --cache-to type=registry,ref=reg.io/c:cache,mode=min,ignore-error=true -f /tmp/mp/Dockerfile.runtime -t reg.io/acme/app:v1 --push --metadata-file /tmp/mp/metadata.json --network=host /workspace/source"
    );
}

#[test]
fn build_arg_values_go_to_env_never_argv() {
    // The spec's Dockerfile-mode example: BUILD_VARS {"BUILD_VAR_API_KEY":"s3cr3tvalue","PLAIN":"x y"}.
    let inp = BuildxInput {
        build_args: vec![
            ("API_KEY".into(), "s3cr3tvalue".into()),
            ("PLAIN".into(), "x y".into()),
        ],
        tags: vec![
            "registry.example.com/acme/app:v1".into(),
            "registry.example.com/acme/app:latest".into(),
        ],
        ..base()
    };
    let cmd = buildx_command(&inp).unwrap();
    assert_eq!(
        cmd.args.join(" "),
        "buildx build --progress=plain --platform linux/amd64 --build-arg API_KEY --build-arg PLAIN -f /tmp/mp/Dockerfile.runtime -t registry.example.com/acme/app:v1 -t registry.example.com/acme/app:latest --push --metadata-file /tmp/mp/metadata.json --network=host /workspace/source"
    );
    assert!(!cmd
        .args
        .iter()
        .any(|a| a.contains("s3cr3tvalue") || a.contains("x y")));
    assert_eq!(
        cmd.env,
        [
            ("API_KEY".to_string(), "s3cr3tvalue".to_string()),
            ("PLAIN".to_string(), "x y".to_string())
        ]
    );
}

#[test]
fn repeated_build_arg_keeps_first_position_last_value() {
    let inp = BuildxInput {
        build_args: vec![
            ("A".into(), "1".into()),
            ("B".into(), "2".into()),
            ("A".into(), "3".into()),
        ],
        ..base()
    };
    let cmd = buildx_command(&inp).unwrap();
    assert_eq!(
        cmd.env,
        [
            ("A".to_string(), "3".to_string()),
            ("B".to_string(), "2".to_string())
        ]
    );
    assert_eq!(cmd.args.iter().filter(|a| *a == "--build-arg").count(), 2);
    // Empty values and compose-style names with dots are fine.
    let inp = BuildxInput {
        build_args: vec![("my.arg".into(), String::new())],
        ..base()
    };
    assert!(argv(&inp).contains("--build-arg my.arg -f"));
}

#[test]
fn secrets() {
    let inp = BuildxInput {
        secrets: vec!["NPM_TOKEN".into(), "GH_TOKEN".into()],
        build_args: vec![("X".into(), "y".into())],
        ..base()
    };
    assert!(argv(&inp).contains(
        "--build-arg X --secret id=NPM_TOKEN,env=NPM_TOKEN --secret id=GH_TOKEN,env=GH_TOKEN -f "
    ));
    let bad = BuildxInput {
        secrets: vec!["A,src=/etc/shadow".into()],
        ..base()
    };
    assert!(err(&bad).starts_with("BUILD_SECRETS: \"A,src=/etc/shadow\""));
    let clash = BuildxInput {
        secrets: vec!["TOKEN".into()],
        build_args: vec![("TOKEN".into(), "x".into())],
        ..base()
    };
    assert!(err(&clash).contains("same name"));
}

#[test]
fn load_no_network_target_and_tags() {
    let inp = BuildxInput {
        push: false,
        network_host: false,
        target: Some("runtime".into()),
        tags: vec!["app:local".into(), "app:latest".into()],
        ..base()
    };
    assert_eq!(
        argv(&inp),
        "buildx build --progress=plain --platform linux/amd64 -f /tmp/mp/Dockerfile.runtime -t app:local -t app:latest --load --metadata-file /tmp/mp/metadata.json --target runtime /workspace/source"
    );
}

#[test]
fn context_that_looks_like_a_flag() {
    let inp = BuildxInput {
        context: "-rf".into(),
        ..base()
    };
    assert!(argv(&inp).ends_with(" ./-rf"));
}

#[test]
fn refused_inputs() {
    assert_eq!(
        err(&BuildxInput {
            tags: vec![],
            ..base()
        }),
        "OUTPUT_IMAGE: no image tag to build"
    );
    for (name, value, want) in [
        ("", "v", "non-empty"),
        ("A=B", "v", "without '='"),
        ("A B", "v", "whitespace"),
        ("A", "x\0y", "NUL"),
        (
            "DOCKER_HOST",
            "tcp://evil:2375",
            "docker reads a variable of this name",
        ),
        ("PATH", "/tmp", "docker reads"),
        ("LD_PRELOAD", "/tmp/x.so", "docker reads"),
        ("BUILDX_BUILDER", "x", "docker reads"),
    ] {
        let e = err(&BuildxInput {
            build_args: vec![(name.into(), value.into())],
            ..base()
        });
        assert!(
            e.starts_with(&format!(
                "build arg {name:?} (BUILD_VARS or compose args): "
            )),
            "{e}"
        );
        assert!(e.contains(want), "{e}");
        assert!(value.len() < 4 || !e.contains(value), "value leaked: {e}");
    }
    // BuildKit's own build args are fine: docker does not read them from its environment.
    assert!(buildx_command(&BuildxInput {
        build_args: vec![
            ("BUILDKIT_INLINE_CACHE".into(), "1".into()),
            ("HTTP_PROXY".into(), "http://p:3128".into())
        ],
        ..base()
    })
    .is_ok());
    let e = err(&BuildxInput {
        context: PathBuf::from(OsStr::from_bytes(b"/src/\xff")),
        ..base()
    });
    assert_eq!(e, "build context path is not valid UTF-8: /src/\u{fffd}");
}

#[test]
fn push_rule_and_tags() {
    let r = |s: &str| ImageRef::parse(s).unwrap();
    assert!(should_push(None, &r("reg.io/app:v1")));
    assert!(!should_push(None, &r("app:local")));
    assert!(should_push(Some(true), &r("app:local")));
    assert!(!should_push(Some(false), &r("reg.io/app:v1")));
    assert_eq!(
        tags_for(&r("r.io:5000/app:v1"), false),
        ["r.io:5000/app:v1"]
    );
    assert_eq!(
        tags_for(&r("r.io:5000/app:v1"), true),
        ["r.io:5000/app:v1", "r.io:5000/app:latest"]
    );
    assert_eq!(tags_for(&r("r.io/app:latest"), true), ["r.io/app:latest"]);
    assert_eq!(tags_for(&r("r.io/app"), true), ["r.io/app"]);
}

// ---- Untrusted input (issue 12, items 2 and 5): the docker child's environment ----

#[test]
fn repository_args_go_to_argv_never_to_the_environment() {
    let inp = BuildxInput {
        repo_args: vec![
            ("ACTIONS_CACHE_URL".into(), "https://evil.example/".into()),
            ("HTTPS_PROXY".into(), "http://evil.example:3128".into()),
            ("DOCKER_HOST".into(), "tcp://evil.example:2375".into()),
            ("PATH".into(), "/evil".into()),
        ],
        ..base()
    };
    let cmd = buildx_command(&inp).unwrap();
    assert!(cmd.env.is_empty(), "{:?}", cmd.env);
    for want in [
        "ACTIONS_CACHE_URL=https://evil.example/",
        "HTTPS_PROXY=http://evil.example:3128",
        "DOCKER_HOST=tcp://evil.example:2375",
        "PATH=/evil",
    ] {
        assert!(
            cmd.args
                .windows(2)
                .any(|w| w[0] == "--build-arg" && w[1] == want),
            "{want}: {:?}",
            cmd.args
        );
    }
    // The operator's BUILD_VARS win over a repository arg of the same name.
    let both = BuildxInput {
        build_args: vec![("API".into(), "operator".into())],
        repo_args: vec![("API".into(), "repository".into())],
        ..base()
    };
    let cmd = buildx_command(&both).unwrap();
    assert!(!cmd.args.iter().any(|a| a.contains("repository")));
    // Names and sizes are still checked.
    for (name, value) in [("A B", "x"), ("", "x"), ("A=B", "x"), ("A", "x\0y")] {
        let bad = BuildxInput {
            repo_args: vec![(name.into(), value.into())],
            ..base()
        };
        assert!(buildx_command(&bad).is_err(), "{name:?}");
    }
    let huge = BuildxInput {
        repo_args: vec![("A".into(), "x".repeat(MAX_ARG_LEN))],
        ..base()
    };
    assert!(err(&huge).contains("longer than"));
}

#[test]
fn the_docker_environment_is_an_allow_list() {
    use crate::cache::CacheSettings;
    let operator: crate::settings::EnvMap = [
        ("PATH", "/usr/bin"),
        ("HOME", "/root"),
        ("DOCKER_HOST", "tcp://127.0.0.1:2375"),
        ("DOCKER_CONFIG", "/etc/docker-cfg"),
        ("BUILDX_CONFIG", "/etc/buildx"),
        ("HTTPS_PROXY", "http://proxy:3128"),
        ("XDG_RUNTIME_DIR", "/run/user/0"),
        ("BUILD_VARS", r#"{"API_KEY":"x\"y"}"#),
        ("BUILD_SECRETS", "NPM_TOKEN"),
        ("NPM_TOKEN", "npm-secret"),
        ("GITHUB_TOKEN", "ghp_secret"),
        ("DHI_PASSWORD", "dhi-secret"),
        ("AWS_SECRET_ACCESS_KEY", "aws-secret"),
        ("ACTIONS_RUNTIME_TOKEN", "gha-token"),
        ("ACTIONS_CACHE_URL", "https://cache"),
        ("KUBECONFIG", "/root/.kube/config"),
        ("BASH_ENV", "/tmp/evil"),
        ("LD_PRELOAD", "/tmp/evil.so"),
        ("SSH_AUTH_SOCK", "/tmp/agent"),
        ("GIT_SSH_COMMAND", "evil"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let names = |cache: &CacheSettings| -> Vec<String> {
        docker_env(&operator, cache, &["NPM_TOKEN".to_string()])
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    };
    let plain = CacheSettings::from_env(&operator).unwrap();
    assert_eq!(
        names(&plain),
        [
            "BUILDX_CONFIG",
            "DOCKER_CONFIG",
            "DOCKER_HOST",
            "HOME",
            "HTTPS_PROXY",
            "NPM_TOKEN",
            "PATH",
            "XDG_RUNTIME_DIR"
        ]
    );
    // The cache backend's variables only when that backend is configured.
    let mut with_gha = operator.clone();
    with_gha.insert("CACHE_IMAGE".into(), "type=gha,scope=app".into());
    let gha = CacheSettings::from_env(&with_gha).unwrap();
    let n = names(&gha);
    assert!(n.contains(&"ACTIONS_RUNTIME_TOKEN".to_string()));
    assert!(n.contains(&"ACTIONS_CACHE_URL".to_string()));
    assert!(!n.iter().any(|k| k.starts_with("AWS_")));
    let mut with_s3 = operator.clone();
    with_s3.insert("CACHE_IMAGE".into(), "type=s3,bucket=b,region=r".into());
    let s3 = CacheSettings::from_env(&with_s3).unwrap();
    let n = names(&s3);
    assert!(n.contains(&"AWS_SECRET_ACCESS_KEY".to_string()));
    assert!(!n.iter().any(|k| k.starts_with("ACTIONS_")));
}
