//! Property tests of the hardening guarantees (docs/security.md):
//! - no BUILD_ENV value, RUN_COMMAND, BUILD_COMMAND or Procfile text adds a Dockerfile
//!   instruction the plan did not ask for, and no BUILD_VARS value reaches the Dockerfile;
//! - every buildx argv element is passed through exactly, and no build-arg value is in argv;
//! - the result file is valid JSON whatever the error text, custom data and secrets.

use migetpacks_core::buildx::{buildx_command, BuildxInput};
use migetpacks_core::mask::Masker;
use migetpacks_core::pipeline::generate;
use migetpacks_core::result::{BuildResult, ResultContext};
use migetpacks_core::settings::{EnvMap, Settings};
use migetpacks_core::source::SourceTree;
use proptest::prelude::*;

/// Lines that start an instruction, following BuildKit's rules: a line ending in `\`
/// continues onto the next non-blank, non-comment line.
fn instruction_count(dockerfile: &str) -> usize {
    let mut count = 0;
    let mut continued = false;
    for line in dockerfile.lines() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if !continued {
            count += 1;
        }
        continued = t.ends_with('\\');
    }
    count
}

/// One line of text (no control characters), biased towards the characters that break
/// Dockerfiles and shells; a trailing backslash is among them.
fn nasty_line() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\\".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("$".to_string()),
        Just("${PATH}".to_string()),
        Just(",".to_string()),
        Just("`id`".to_string()),
        Just(" RUN evil".to_string()),
        Just("&&".to_string()),
        Just(" ".to_string()),
        Just("é".to_string()),
        "[a-zA-Z0-9 =:/._-]{1,8}",
    ];
    proptest::collection::vec(piece, 1..8).prop_map(|v| v.concat())
}

/// Any text, biased towards the characters that break Dockerfiles and shells.
fn nasty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\n".to_string()),
        Just("\r".to_string()),
        Just("\\".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("$".to_string()),
        Just("${PATH}".to_string()),
        Just(",".to_string()),
        Just("\0".to_string()),
        Just("`id`".to_string()),
        Just("\nRUN evil".to_string()),
        Just("\\\nUSER root".to_string()),
        Just("&&".to_string()),
        Just(" ".to_string()),
        "[a-zA-Z0-9 =:/._-]{1,8}",
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

const SECRET: &str = "prop-secret-value-42";

fn tree(procfile: Option<&str>) -> SourceTree {
    let mut files = vec![
        (
            "package.json",
            r#"{"scripts":{"build":"node b.js","start":"node i.js"}}"#.to_string(),
        ),
        ("package-lock.json", "{}".to_string()),
        ("i.js", String::new()),
    ];
    if let Some(p) = procfile {
        files.push(("Procfile", p.to_string()));
    }
    SourceTree::in_memory(files)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn buildx_argv_elements_round_trip(
        names in proptest::collection::vec("[A-Za-z_][A-Za-z0-9_]{0,8}", 0..4),
        values in proptest::collection::vec(nasty(), 4),
        secrets in proptest::collection::vec("[A-Z_][A-Z0-9_]{0,8}", 0..3),
        tag in "[a-z0-9]{1,8}(:[a-z0-9]{1,8})?",
        context in "/[ -~]{0,20}",
        cache_arg in "[ -~]{1,30}",
    ) {
        let build_args: Vec<(String, String)> = names
            .iter()
            .zip(values.iter())
            .map(|(n, v)| (n.clone(), format!("{v}{SECRET}")))
            .collect();
        let inp = BuildxInput {
            platform: "linux/amd64".into(),
            builder: None,
            cache_args: vec!["--cache-from".into(), cache_arg.clone()],
            build_args: build_args.clone(),
            secrets: secrets.clone(),
            dockerfile: "/tmp/x/Dockerfile".into(),
            tags: vec![tag.clone()],
            push: false,
            metadata_file: "/tmp/x/m.json".into(),
            network_host: true,
            context: context.clone().into(),
            target: None,
        };
        let Ok(cmd) = buildx_command(&inp) else { return Ok(()) };
        // Each input is one argv element, unchanged.
        prop_assert!(cmd.args.contains(&tag));
        prop_assert!(cmd.args.contains(&cache_arg));
        prop_assert_eq!(cmd.args.last(), Some(&context));
        for (n, _) in &build_args {
            prop_assert!(cmd.args.windows(2).any(|w| w[0] == "--build-arg" && &w[1] == n));
        }
        for s in &secrets {
            let want = format!("id={s},env={s}");
            prop_assert!(cmd.args.windows(2).any(|w| w[0] == "--secret" && w[1] == want));
        }
        prop_assert!(!cmd.args.iter().any(|a| a.contains(SECRET)), "{:?}", cmd.args);
    }

    #[test]
    fn result_file_is_always_json(
        message in nasty(),
        secret in nasty(),
        custom in nasty(),
        exit_code in any::<i32>(),
    ) {
        let secrets = vec![secret.clone(), exit_code.to_string(), "true".into(), "null".into()];
        let (masker, _) = Masker::new(&secrets);
        let ctx = ResultContext {
            build_time_secs: exit_code.unsigned_abs() as u64,
            finished_at: 1_764_230_400,
            app: Default::default(),
            custom: Some(serde_json::json!({ "note": custom, secret.clone(): 1 })),
            hardened: None,
        };
        let doc = BuildResult::failure(None, &format!("{message} {secret}"), exit_code, &masker, ctx);
        let text = doc.to_masked_json(&masker).unwrap();
        let back: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        prop_assert!(back.is_object());
        let maskable = secret.chars().count() >= migetpacks_core::mask::MIN_SECRET_LEN
            && !"[MASKED]".contains(&secret);
        if maskable {
            let mut strings = Vec::new();
            collect_strings(&back, &mut strings);
            prop_assert!(!strings.iter().any(|s| s.contains(&secret)), "{text}");
        }
    }
}

fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k.clone());
            collect_strings(x, out)
        }),
        _ => {}
    }
}

/// No user text adds an instruction: the rendered Dockerfile has exactly one instruction per
/// planned step (plus one `FROM` per stage), following `\` continuations. Most generated
/// inputs must get through settings validation, so the property is really exercised.
#[test]
fn user_text_never_adds_an_instruction() {
    use proptest::test_runner::{Config, TestRunner};
    let generated = std::cell::Cell::new(0u32);
    let strategy = (
        nasty(),
        nasty_line(),
        nasty_line(),
        nasty_line(),
        proptest::option::of(nasty()),
        any::<bool>(),
    );
    let mut runner = TestRunner::new(Config {
        cases: 400,
        ..Config::default()
    });
    runner
        .run(&strategy, |(vite, other, run, build, procfile, secrets)| {
            let mut env = EnvMap::new();
            env.insert("DOCKERFILE_SYNTAX".into(), String::new());
            env.insert("BUILD_ENV".into(), "VITE_*,NODE_OPTIONS".into());
            env.insert("VITE_A".into(), vite);
            env.insert("NODE_OPTIONS".into(), other);
            env.insert("RUN_COMMAND".into(), run);
            env.insert("BUILD_COMMAND".into(), build);
            env.insert(
                "BUILD_VARS".into(),
                format!(r#"{{"API_TOKEN":"{SECRET}"}}"#),
            );
            if secrets {
                env.insert("BUILD_SECRETS".into(), "NPM_TOKEN".into());
                env.insert("NPM_TOKEN".into(), "npm-secret-value".into());
            }
            // Refusing a value is fine; a Dockerfile with extra instructions is not.
            let Ok(settings) = Settings::from_env(&env) else {
                return Ok(());
            };
            let Ok(g) = generate(&settings, &tree(procfile.as_deref())) else {
                return Ok(());
            };
            generated.set(generated.get() + 1);
            let planned: usize = g.plan.stages.iter().map(|s| s.steps.len() + 1).sum();
            prop_assert_eq!(
                instruction_count(&g.dockerfile),
                planned,
                "{}",
                g.dockerfile
            );
            prop_assert!(!g.dockerfile.contains(SECRET));
            prop_assert!(!g.dockerfile.contains("npm-secret-value"));
            Ok(())
        })
        .unwrap();
    assert!(
        generated.get() >= 100,
        "only {} inputs generated",
        generated.get()
    );
}

#[test]
fn instruction_counter_follows_continuations() {
    assert_eq!(
        instruction_count("FROM a\nRUN x \\\n    && y\n\n# c\nCMD [\"z\"]\n"),
        3
    );
    // A trailing backslash swallows the next instruction, even across blank/comment lines.
    assert_eq!(instruction_count("FROM a\nRUN x \\\n\n# c\nUSER root\n"), 2);
}

/// The fixed bug: a BUILD_COMMAND ending in `\` continued the RUN line and swallowed the next
/// instruction (blank and comment lines in between do not stop a continuation).
#[test]
fn trailing_backslash_is_refused() {
    let mut env = EnvMap::new();
    env.insert("BUILD_COMMAND".into(), "npm run build \\".into());
    let e = Settings::from_env(&env).unwrap_err();
    assert!(e.to_string().starts_with("BUILD_COMMAND"), "{e}");
}
