use super::*;
use crate::appjson;
use crate::procfile;

/// 2026-11-27T05:45:34Z, the spec example's time.
const T: u64 = 1_795_758_334;

fn img(s: &str, ports: &[&str], digest: Option<&str>) -> ImageResult {
    let r = ImageRef::parse(s).unwrap();
    ImageResult::new(
        &r,
        ports.iter().map(|p| p.to_string()).collect(),
        digest.map(str::to_string),
        5000,
    )
}

fn ctx(build_time_secs: u64) -> ResultContext {
    ResultContext {
        build_time_secs,
        finished_at: T,
        ..ResultContext::default()
    }
}

fn json(r: &BuildResult) -> String {
    r.to_pretty_json().unwrap()
}

#[test]
fn timestamps() {
    for (secs, want) in [
        (0, "1970-01-01T00:00:00Z"),
        (68_169_600, "1972-02-29T00:00:00Z"),
        (951_782_400, "2000-02-29T00:00:00Z"),
        (951_868_799, "2000-02-29T23:59:59Z"),
        (1_704_067_199, "2023-12-31T23:59:59Z"),
        (T, "2026-11-27T05:45:34Z"),
        (4_107_542_400, "2100-03-01T00:00:00Z"),
        (253_402_300_799, "9999-12-31T23:59:59Z"),
    ] {
        assert_eq!(format_timestamp(secs), want, "{secs}");
    }
}

#[test]
fn ports_app_port_first_then_numeric() {
    let p = |v: &[&str], port| order_ports(v.iter().map(|s| s.to_string()).collect(), port);
    assert_eq!(
        p(
            &["80/tcp", "5000/tcp", "3000/tcp", "53/udp", "80/tcp"],
            5000
        ),
        ["5000/tcp", "53/udp", "80/tcp", "3000/tcp"]
    );
    assert_eq!(p(&["80/udp", "80/tcp"], 5000), ["80/tcp", "80/udp"]);
    assert_eq!(p(&["8080/tcp", "80/tcp"], 8080), ["8080/tcp", "80/tcp"]);
    // 5000/udp is not the app port; odd keys sort last.
    assert_eq!(
        p(&["weird", "5000/udp", "5000/tcp"], 5000),
        ["5000/tcp", "5000/udp", "weird"]
    );
    assert!(p(&[], 5000).is_empty());
}

#[test]
fn image_fields_come_from_the_reference_parser() {
    let i = img("r.io:5000/app", &[], None);
    assert_eq!(
        (i.registry.as_str(), i.repository.as_str(), i.tag.as_str()),
        ("r.io:5000", "app", "latest")
    );
    let i = img("registry.example.com/acme/app:v1", &[], None);
    assert_eq!(
        (i.registry.as_str(), i.repository.as_str(), i.tag.as_str()),
        ("registry.example.com", "acme/app", "v1")
    );
}

#[test]
fn success_spec_example_dhi_ruby() {
    let mut processes = procfile::parse(
        "web: x\nworker: bundle exec ruby bin/jobs\nrelease: ruby bin/rails db:migrate\n",
    )
    .unwrap();
    // The translated command (generation replaces it; the result records the final one).
    processes.web = Some("bundle exec puma -C config/puma.rb".into());
    let r = BuildResult::success(
        Language::Ruby,
        vec![img(
            "registry.example.com/acme/app:v1",
            &["5000/tcp"],
            Some("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
        )],
        processes,
        ResultContext {
            hardened: Some(Hardened { shell: false }),
            ..ctx(1)
        },
    );
    let out = json(&r);
    assert!(out.ends_with("}\n") && !out.ends_with("\n\n"));
    // No app.json: no formation/scripts keys at all (migetpacks wrote `{}`).
    assert!(!out.contains("formation") && !out.contains("scripts"));
    insta::assert_snapshot!("success_dhi_ruby", out);
}

#[test]
fn success_with_app_json_and_custom_data() {
    let app = appjson::parse(
        r#"{"env": {"SECRET_KEY_BASE": {"generator": "secret"}, "WEB_CONCURRENCY": "2", "REQ": {"required": true}},
            "formation": {"web": {"quantity": 2}},
            "scripts": {"postdeploy": "bin/seed"},
            "addons": ["heroku-redis"]}"#,
    )
    .unwrap();
    let generated = appjson::generate_secrets(&app, &mut || [0x5a; 32]);
    let r = BuildResult::success(
        Language::Nodejs,
        vec![img("app:local", &["3000/tcp", "5000/tcp"], None)],
        procfile::parse("web: npm start\n").unwrap(),
        ResultContext {
            app: AppSections::from_app(&app, &generated),
            custom: Some(serde_json::json!({"deploy": {"id": 42}})),
            ..ctx(37)
        },
    );
    insta::assert_snapshot!("success_app_json_custom", json(&r));
}

#[test]
fn failure_masks_error_and_keeps_real_exit_code() {
    let (m, _) = Masker::new(&["s3cr3tvalue".to_string()]);
    let r = BuildResult::failure(
        Some(Language::Nodejs),
        "Docker build failed: #8 ERROR: curl -H 'token: s3cr3tvalue' failed",
        137,
        &m,
        ctx(12),
    );
    let out = json(&r);
    assert!(!out.contains("s3cr3tvalue"));
    insta::assert_snapshot!("failure_docker", out);
}

#[test]
fn failure_before_detection_is_unknown_and_never_exit_zero() {
    let r = BuildResult::failure(
        None,
        "PROJECT_PATH does not exist: /workspace/source/apps/web",
        0,
        &Masker::default(),
        ctx(0),
    );
    assert_eq!(r.exit_code, 1);
    assert_eq!(r.language, "unknown");
    assert_eq!(r.status, Status::Failed);
    let v: Value = serde_json::from_str(&json(&r)).unwrap();
    assert_eq!(v["images"], serde_json::json!([]));
    assert_eq!(v["processes"], serde_json::json!({}));
    assert!(v.get("_dhi").is_none() && v.get("env").is_none());
}

#[test]
fn dhi_markers_top_level_always_in_processes_only_with_processes() {
    let hard = ResultContext {
        hardened: Some(Hardened { shell: false }),
        ..ctx(3)
    };
    let r = BuildResult::success(Language::Go, vec![], Processes::default(), hard.clone());
    let v: Value = serde_json::from_str(&json(&r)).unwrap();
    assert_eq!(v["_dhi"], true);
    assert_eq!(v["_shell"], false);
    assert_eq!(v["processes"], serde_json::json!({}));
    let r = BuildResult::success(
        Language::Go,
        vec![],
        procfile::parse("web: ./app").unwrap(),
        hard,
    );
    let v: Value = serde_json::from_str(&json(&r)).unwrap();
    assert_eq!(
        v["processes"],
        serde_json::json!({"web": "./app", "_dhi": true, "_shell": false})
    );
    // Not hardened: no markers anywhere.
    let r = BuildResult::success(
        Language::Go,
        vec![],
        procfile::parse("web: ./app").unwrap(),
        ctx(3),
    );
    let out = json(&r);
    assert!(!out.contains("_dhi") && !out.contains("_shell"));
}

#[test]
fn language_is_the_normalised_id() {
    for (l, id) in [
        (Language::Dotnet, "dotnet"),
        (Language::Nodejs, "nodejs"),
        (Language::Dockerfile, "dockerfile"),
    ] {
        let r = BuildResult::success(l, vec![], Processes::default(), ctx(1));
        assert_eq!(r.language, id);
    }
}

#[test]
fn compose_results() {
    let base = ImageRef::parse("reg.io/acme/app:v1").unwrap();
    let svc = |s: &str| {
        ImageResult::new(
            &base.with_service(s).unwrap(),
            vec!["5000/tcp".into()],
            None,
            5000,
        )
    };
    let ok = BuildResult::compose(vec![svc("api"), svc("web")], &[], 0, ctx(20));
    assert_eq!(ok.status, Status::Success);
    assert_eq!(ok.exit_code, 0);
    insta::assert_snapshot!("compose_success", json(&ok));
    let failed = BuildResult::compose(vec![svc("api")], &["web".to_string()], 1, ctx(20));
    assert_eq!(failed.exit_code, 1);
    insta::assert_snapshot!("compose_partial_failure", json(&failed));
}

#[test]
fn schema_describes_the_serialized_shape() {
    let s = result_schema();
    let required: Vec<&str> = s["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        required,
        [
            "status",
            "exit_code",
            "images",
            "processes",
            "build_time",
            "language",
            "timestamp"
        ]
    );
    assert!(s["properties"]["_shell"].is_object());
    assert!(s["properties"]["custom"].is_object());
    insta::assert_json_snapshot!("result_schema", s);
}

#[test]
fn every_serialized_key_is_in_the_schema() {
    let s = result_schema();
    let app = appjson::parse(
        r#"{"env": {"A": "1"}, "formation": {"web": {}}, "scripts": {"s": "x"}, "addons": ["a"]}"#,
    )
    .unwrap();
    let r = BuildResult::success(
        Language::Ruby,
        vec![img("r.io/app:v1", &["5000/tcp"], Some("sha256:00"))],
        procfile::parse("web: a\nrelease: b\nw: c").unwrap(),
        ResultContext {
            app: AppSections::from_app(&app, &BTreeMap::new()),
            custom: Some(serde_json::json!(1)),
            hardened: Some(Hardened { shell: false }),
            ..ctx(1)
        },
    );
    let mut v: Value = serde_json::from_str(&json(&r)).unwrap();
    v["error"] = Value::String("x".into());
    let check = |obj: &Value, props: &Value, what: &str| {
        for k in obj.as_object().unwrap().keys() {
            assert!(props.get(k).is_some(), "{what}.{k} missing from the schema");
        }
    };
    check(&v, &s["properties"], "result");
    check(
        &v["images"][0],
        &s["$defs"]["ImageResult"]["properties"],
        "images[]",
    );
    check(
        &v["processes"],
        &s["$defs"]["ResultProcesses"]["properties"],
        "processes",
    );
    check(
        &v["formation"][0],
        &s["$defs"]["Formation"]["properties"],
        "formation[]",
    );
    check(
        &v["scripts"][0],
        &s["$defs"]["Script"]["properties"],
        "scripts[]",
    );
    check(
        &v["addons"][0],
        &s["$defs"]["Addon"]["properties"],
        "addons[]",
    );
    assert_eq!(
        v.as_object().unwrap().len(),
        s["properties"].as_object().unwrap().len()
    );
}
