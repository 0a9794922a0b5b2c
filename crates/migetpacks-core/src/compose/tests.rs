use super::*;

const SPEC_EXAMPLE: &str = r#"
services:
  api:
    build:
      context: ./api
      dockerfile: Dockerfile
  web:
    build:
      context: ./web
      args:
        API_URL: http://api:5000
  worker:
    build: ./api
  db:
    image: postgres:16
"#;

fn plan(text: &str, dir: &str) -> Result<Vec<ServiceBuild>, ComposeError> {
    let file = if dir.is_empty() {
        "compose.yaml".to_string()
    } else {
        format!("{dir}/compose.yaml")
    };
    plan_services(&parse(text, &file)?, dir)
}

fn err(text: &str) -> String {
    plan(text, "").unwrap_err().to_string()
}

fn args(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn spec_example() {
    let p = plan(SPEC_EXAMPLE, "").unwrap();
    assert_eq!(
        p,
        vec![
            ServiceBuild {
                name: "api".into(),
                context_rel: "api".into(),
                dockerfile_rel: "api/Dockerfile".into(),
                args: vec![],
                target: None,
            },
            ServiceBuild {
                name: "web".into(),
                context_rel: "web".into(),
                dockerfile_rel: "web/Dockerfile".into(),
                args: args(&[("API_URL", "http://api:5000")]),
                target: None,
            },
            ServiceBuild {
                name: "worker".into(),
                context_rel: "api".into(),
                dockerfile_rel: "api/Dockerfile".into(),
                args: vec![],
                target: None,
            },
        ]
    );
}

#[test]
fn services_keep_file_order() {
    let p = plan(
        "services:\n  zeta: {build: .}\n  alpha: {build: .}\n  mid: {build: .}\n",
        "",
    )
    .unwrap();
    let names: Vec<_> = p.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["zeta", "alpha", "mid"]);
    assert_eq!(p[0].context_rel, ".");
    assert_eq!(p[0].dockerfile_rel, "Dockerfile");
}

#[test]
fn contexts_are_relative_to_the_compose_folder() {
    let text = "services:\n  api:\n    build:\n      context: ../services/api\n      dockerfile: docker/Prod.Dockerfile\n      target: runtime\n  here:\n    build: .\n";
    let p = plan(text, "deploy").unwrap();
    assert_eq!(p[0].context_rel, "services/api");
    assert_eq!(p[0].dockerfile_rel, "services/api/docker/Prod.Dockerfile");
    assert_eq!(p[0].target.as_deref(), Some("runtime"));
    assert_eq!(p[1].context_rel, "deploy");
    // A Dockerfile outside the context but inside the source folder is allowed (Compose allows it).
    let p = plan(
        "services:\n  a:\n    build: {context: app, dockerfile: ../Dockerfile.a}\n",
        "",
    )
    .unwrap();
    assert_eq!(p[0].dockerfile_rel, "Dockerfile.a");
}

#[test]
fn escapes_and_absolute_paths_are_refused() {
    for (text, dir, want) in [
        (
            "services:\n  api:\n    build: ../x\n",
            "",
            "build context \"../x\" leaves the source folder",
        ),
        (
            "services:\n  api:\n    build: ../../x\n",
            "deploy",
            "leaves the source folder",
        ),
        (
            "services:\n  api:\n    build: /srv/api\n",
            "",
            "is an absolute path",
        ),
        (
            "services:\n  api:\n    build: {context: ., dockerfile: /etc/Dockerfile}\n",
            "",
            "dockerfile \"/etc/Dockerfile\" is an absolute path",
        ),
        (
            "services:\n  api:\n    build: {context: ., dockerfile: ../../Dockerfile}\n",
            "",
            "dockerfile \"../../Dockerfile\" leaves",
        ),
        (
            "services:\n  api:\n    build: https://github.com/acme/api.git\n",
            "",
            "remote location",
        ),
        (
            "services:\n  api:\n    build: {context: ., dockerfile: ./}\n",
            "",
            "names a folder",
        ),
    ] {
        let e = plan(text, dir).unwrap_err().to_string();
        let file = if dir.is_empty() {
            "compose.yaml".to_string()
        } else {
            format!("{dir}/compose.yaml")
        };
        assert!(e.starts_with(&format!("{file}: service \"api\": ")), "{e}");
        assert!(e.contains(want), "{e}");
    }
}

#[test]
fn args_map_and_list_forms() {
    let p = plan(
        "services:\n  a:\n    build:\n      context: .\n      args:\n        S: text\n        N: 3\n        B: true\n        E: ''\n        URL: a=b\n  b:\n    build:\n      context: .\n      args:\n        - K=v=w\n        - EMPTY=\n        - SPACE=x y\n",
        "",
    )
    .unwrap();
    assert_eq!(
        p[0].args,
        args(&[
            ("S", "text"),
            ("N", "3"),
            ("B", "true"),
            ("E", ""),
            ("URL", "a=b")
        ])
    );
    assert_eq!(
        p[1].args,
        args(&[("K", "v=w"), ("EMPTY", ""), ("SPACE", "x y")])
    );
}

#[test]
fn args_without_values_are_errors() {
    let e = err("services:\n  a:\n    build:\n      context: .\n      args:\n        - TOKEN\n");
    assert!(
        e.starts_with("compose.yaml: service \"a\": build arg TOKEN has no value"),
        "{e}"
    );
    let e = err("services:\n  a:\n    build:\n      context: .\n      args:\n        TOKEN:\n");
    assert!(e.contains("build arg TOKEN has no value"), "{e}");
    let e = err("services:\n  a:\n    build:\n      context: .\n      args:\n        - =x\n");
    assert!(e.contains("build arg name \"\""), "{e}");
    let e = err("services:\n  a:\n    build:\n      context: .\n      args: 3\n");
    assert!(e.contains("build.args must be a mapping or a list"), "{e}");
    let e = err("services:\n  a:\n    build:\n      context: .\n      args: {X: [1]}\n");
    assert!(e.contains("build arg X must be a string"), "{e}");
}

#[test]
fn no_build_services_and_malformed_files() {
    assert_eq!(
        err("services:\n  db:\n    image: postgres\n"),
        "compose.yaml: no services with a 'build' section found"
    );
    assert_eq!(
        err(""),
        "compose.yaml: no services with a 'build' section found"
    );
    assert_eq!(
        err("version: '3'\n"),
        "compose.yaml: no services with a 'build' section found"
    );
    assert!(err("services: [\n").starts_with("compose.yaml: not valid YAML"));
    assert!(err("- a\n- b\n").starts_with("compose.yaml: top level must be a mapping"));
    assert!(err("services: [a, b]\n").contains("'services' must be a mapping"));
    assert!(err("services:\n  api: 3\n").contains("service \"api\": definition must be a mapping"));
    assert!(err("services:\n  api:\n    build: 3\n")
        .contains("build must be a context path or a mapping"));
    assert!(err("services:\n  -bad:\n    build: .\n").contains("service \"-bad\": name must be"));
    assert!(err("services:\n  1: {build: .}\n").contains("service names must be strings, found 1"));
    assert!(
        err("services:\n  a:\n    build:\n      dockerfile_inline: FROM x\n")
            .contains("dockerfile_inline is not supported")
    );
    assert!(err("services:\n  a:\n    build:\n      context: [x]\n")
        .contains("build.context must be a string"));
}

#[test]
fn build_false_or_null_means_no_build() {
    let c = parse(
        "services:\n  a:\n    build:\n  b:\n    build: false\n  c:\n",
        "c.yml",
    )
    .unwrap();
    assert!(c.services.iter().all(|s| s.build.is_none()));
    assert_eq!(c.services.len(), 3);
}

#[test]
fn anchors_and_merge_keys() {
    let text = r#"
x-build: &defaults
  context: ./app
  args:
    MODE: prod
services:
  web:
    build:
      <<: *defaults
      target: web
  worker:
    build: *defaults
"#;
    let p = plan(text, "").unwrap();
    assert_eq!(p[0].context_rel, "app");
    assert_eq!(p[0].args, args(&[("MODE", "prod")]));
    assert_eq!(p[0].target.as_deref(), Some("web"));
    assert_eq!(p[1].context_rel, "app");
}

#[test]
fn alias_bombs_are_refused() {
    // Exponential alias expansion must fail fast, not allocate without bound.
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    let mut prev = 'a';
    for c in 'b'..='k' {
        text.push_str(&format!("{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        prev = c;
    }
    text.push_str("services:\n  a:\n    build: .\n");
    assert!(parse(&text, "compose.yaml").is_err());
}

proptest::proptest! {
    #[test]
    fn parse_never_panics(s in "\\PC{0,200}") {
        let _ = parse(&s, "compose.yaml");
    }
}
