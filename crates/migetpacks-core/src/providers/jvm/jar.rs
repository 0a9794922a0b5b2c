//! How the runnable jar gets into the image.
//!
//! The runtime stage of a jar app holds one file, `/app/app.jar`: right after packaging, the
//! builder copies the runnable jar there (a jar whose path is known now, or the single
//! runnable jar of a build folder; the build fails with the list when there are none or
//! several). The start command therefore never depends on a shell glob. A start command
//! that names other build outputs (a classpath folder, a war, a script) gets the whole build
//! folder instead.

use super::{runtime_env, user_command};
use crate::plan::{Instruction, Phase, Step};
use crate::providers::{Context, PlanError};

/// Where the runnable jar is copied in the builder, and its name in the runtime stage.
pub const APP_JAR: &str = "/build/app.jar";

/// Where the runnable jar comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Jar {
    /// The single runnable jar named `name` (a find pattern) at most `depth` levels under
    /// `dir`, chosen when the image is built.
    Select {
        /// Folder searched.
        dir: String,
        /// `find -maxdepth`.
        depth: u8,
        /// `find -name` pattern.
        name: String,
    },
    /// A jar whose path is known at generation time.
    Exact(String),
}

impl Jar {
    /// `*.jar` directly in `dir`.
    pub fn any_in(dir: &str) -> Jar {
        Jar::Select {
            dir: dir.into(),
            depth: 1,
            name: "*.jar".into(),
        }
    }
}

/// What the runtime stage takes from the builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Artifact {
    /// One jar, as `/app/app.jar`.
    Jar(Jar),
    /// The whole build folder (the start command names other build outputs).
    Tree,
}

/// A word naming a jar in a build output folder: `target/x.jar`, `./build/libs/*.jar`,
/// `web/target/uberjar/x-standalone.jar`, `target/scala-3.3.1/x.jar`.
fn is_build_jar(word: &str) -> bool {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r"^(\./)?([\w.-]+/)*(target|build/libs)(/[\w.-]+)?/[^/]+\.jar$")
            .expect("static regex")
    });
    re.is_match(word) && !word.split('/').any(|p| p == "..")
}

/// The jar a build-jar word names: a glob is chosen at build time, a plain path is copied.
fn jar_of_word(word: &str) -> Jar {
    let path = word.strip_prefix("./").unwrap_or(word);
    let (dir, file) = path.rsplit_once('/').unwrap_or((".", path));
    if file.contains(['*', '?', '[']) {
        Jar::Select {
            dir: dir.into(),
            depth: 1,
            name: file.into(),
        }
    } else {
        Jar::Exact(path.into())
    }
}

/// How a start command uses the build output (see the module comment).
pub fn classify(command: &str, default: Jar) -> Artifact {
    let words: Vec<&str> = command.split_whitespace().collect();
    let jars: Vec<&str> = words.iter().copied().filter(|w| is_build_jar(w)).collect();
    let other_outputs = words
        .iter()
        .any(|w| !is_build_jar(w) && (w.contains("target/") || w.contains("build/")));
    if other_outputs || jars.len() > 1 {
        return Artifact::Tree;
    }
    match jars.first() {
        Some(w) => Artifact::Jar(jar_of_word(w)),
        None if words
            .iter()
            .any(|w| *w == "app.jar" || w.ends_with("/app.jar")) =>
        {
            Artifact::Jar(default)
        }
        None => Artifact::Tree,
    }
}

/// The artifact for this app: `default` unless the user's start command says otherwise.
pub fn artifact(cx: &Context, default: Jar) -> Result<Artifact, PlanError> {
    Ok(match user_command(cx)? {
        None => Artifact::Jar(default),
        Some(cmd) => classify(&cmd, default),
    })
}

/// Commands copying the runnable jar to [`APP_JAR`], and what they do.
fn jar_commands(jar: &Jar) -> (Vec<String>, &'static str) {
    match jar {
        Jar::Exact(path) => (
            vec![format!("cp {} {APP_JAR}", shell_words::quote(path))],
            "copy the runnable jar to /build/app.jar for the runtime stage",
        ),
        Jar::Select { dir, depth, name } => (
            vec![
                format!(
                    "find {} -maxdepth {depth} -type f -name {} ! -name '*-sources.jar' ! -name '*-javadoc.jar' ! -name '*-tests.jar' ! -name '*-plain.jar' ! -name 'original-*.jar' > /tmp/runnable-jars",
                    shell_words::quote(dir),
                    shell_words::quote(name)
                ),
                "awk '{ found = found \"\\n  \" $0 } END { if (NR != 1) { printf \"migetpacks: expected exactly one runnable jar, found %d:%s\\nName the jar in RUN_COMMAND or the Procfile (java -jar <path>).\\n\", NR, found > \"/dev/stderr\"; exit 1 } }' /tmp/runnable-jars".to_string(),
                format!("cp \"$(cat /tmp/runnable-jars)\" {APP_JAR}"),
            ],
            "copy the one runnable jar (not -sources, -javadoc, -tests, -plain or original-) to /build/app.jar for the runtime stage",
        ),
    }
}

/// The build step followed by the jar copy: appended to the build's own `RUN` (one layer),
/// or as a `RUN` of its own after a `BUILD_COMMAND`, which stays exactly as the user wrote it.
pub fn with_jar(build: Step, artifact: &Artifact, user_build: bool) -> Vec<Step> {
    let Artifact::Jar(jar) = artifact else {
        return vec![build];
    };
    let (cmds, what) = jar_commands(jar);
    if user_build {
        let mut why = what.to_string();
        why[..1].make_ascii_uppercase();
        return vec![build, Step::run(Phase::Build, cmds).why(why)];
    }
    let mut build = build;
    if let Instruction::Run { commands, .. } = &mut build.instruction {
        commands.extend(cmds);
    }
    build.comment = Some(match build.comment.take() {
        Some(c) => format!("{c}, then {what}"),
        None => what.to_string(),
    });
    vec![build]
}

/// Runtime steps: JVM environment, then the jar or the whole build folder.
pub fn runtime_steps(cx: &Context, artifact: &Artifact) -> Vec<Step> {
    let copy = match artifact {
        Artifact::Jar(_) => Step::copy_from(Phase::Runtime, "builder", [APP_JAR], "/app/app.jar")
            .chown(&cx.owner())
            .why("The application jar from the builder"),
        Artifact::Tree => cx.copy_build_to_app(),
    };
    vec![runtime_env(), copy]
}

/// Default start of a jar app. `$JAVA_OPTS` stays available for extra flags at run time,
/// except in hardened images, which have no shell to expand it.
pub fn jar_command(cx: &Context) -> String {
    if cx.hardened() {
        "java -jar app.jar".into()
    } else {
        "java $JAVA_OPTS -jar app.jar".into()
    }
}

/// Rewrite a start command for the image: a build-jar word becomes `app.jar` (when the image
/// holds only the jar), and `$JAVA_OPTS` is dropped in hardened images (no shell expands it).
pub fn translate(cx: &Context, command: &str) -> String {
    let mut out = command.to_string();
    if let Artifact::Jar(_) = classify(command, Jar::any_in("target")) {
        if let Some(word) = command.split_whitespace().find(|w| is_build_jar(w)) {
            out = out.replacen(word, "app.jar", 1);
        }
    }
    if cx.hardened() {
        let re =
            regex::Regex::new(r#"\s*"?\$(\{JAVA_OPTS\}|JAVA_OPTS\b)"?"#).expect("static regex");
        out = re.replace_all(&out, "").trim().to_string();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_commands_classify() {
        let d = Jar::any_in("target");
        assert_eq!(
            classify("java -jar app.jar", d.clone()),
            Artifact::Jar(d.clone())
        );
        assert_eq!(
            classify("java $JAVA_OPTS -jar target/*.jar", d.clone()),
            Artifact::Jar(Jar::any_in("target"))
        );
        assert_eq!(
            classify(
                "java -Dserver.port=$PORT -jar ./build/libs/demo-0.1.jar",
                d.clone()
            ),
            Artifact::Jar(Jar::Exact("build/libs/demo-0.1.jar".into()))
        );
        assert_eq!(
            classify("java -jar web/target/uberjar/*-standalone.jar", d.clone()),
            Artifact::Jar(Jar::Select {
                dir: "web/target/uberjar".into(),
                depth: 1,
                name: "*-standalone.jar".into()
            })
        );
        // A war runner, a classpath folder, a script, a committed jar: the whole tree.
        for cmd in [
            "java -jar target/dependency/webapp-runner.jar --port $PORT target/*.war",
            "java -cp target/classes:target/dependency/* Main",
            "./bin/start",
            "java -jar vendored.jar",
            "java -jar ../x/target/a.jar",
        ] {
            assert_eq!(classify(cmd, d.clone()), Artifact::Tree, "{cmd}");
        }
    }

    #[test]
    fn jar_copy_joins_our_build_and_follows_a_user_build() {
        let build = || Step::run(Phase::Build, ["mvn package"]).why("Package");
        let steps = with_jar(build(), &Artifact::Jar(Jar::any_in("target")), false);
        assert_eq!(steps.len(), 1);
        let text = crate::render::instruction(&steps[0].instruction).unwrap();
        assert!(
            text.starts_with(
                "RUN mvn package \\\n    && find target -maxdepth 1 -type f -name '*.jar'"
            ),
            "{text}"
        );
        assert!(text.contains("exit 1"));
        assert!(text.ends_with("&& cp \"$(cat /tmp/runnable-jars)\" /build/app.jar"));
        assert!(steps[0]
            .comment
            .as_deref()
            .unwrap()
            .starts_with("Package, then copy the one runnable jar"));
        let steps = with_jar(
            build(),
            &Artifact::Jar(Jar::Exact("target/uberjar/my app.jar".into())),
            true,
        );
        assert_eq!(steps.len(), 2);
        assert_eq!(
            crate::render::instruction(&steps[1].instruction).unwrap(),
            "RUN cp 'target/uberjar/my app.jar' /build/app.jar"
        );
        assert_eq!(with_jar(build(), &Artifact::Tree, false), vec![build()]);
    }
}
