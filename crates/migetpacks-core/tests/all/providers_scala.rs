//! Scala (sbt: native-packager stage, Play, assembly).

use crate::support;

use migetpacks_core::language::Language;
use support::{assert_mounts_only_with_cache_dir, assert_order, generate, try_generate};

const PACKAGER: &str = "addSbtPlugin(\"com.github.sbt\" % \"sbt-native-packager\" % \"1.10.4\")\n";

fn staged() -> Vec<(&'static str, &'static str)> {
    vec![
        ("build.sbt", "name := \"Scala Example\"\nscalaVersion := \"3.3.1\"\nCompile / mainClass := Some(\"example.Main\")\nenablePlugins(JavaAppPackaging)\n"),
        ("project/build.properties", "sbt.version=1.10.2\n"),
        ("project/plugins.sbt", PACKAGER),
        ("system.properties", "java.runtime.version=17\n"),
        ("src/main/scala/Main.scala", "object Main extends App\n"),
    ]
}

fn play() -> Vec<(&'static str, &'static str)> {
    vec![
        ("build.sbt", "lazy val root = (project in file(\".\"))\n  .enablePlugins(PlayScala)\n  .settings(name := \"play-app\", scalaVersion := \"2.13.14\")\n"),
        ("project/build.properties", "sbt.version=1.10.2\n"),
        ("project/plugins.sbt", "addSbtPlugin(\"org.playframework\" % \"sbt-plugin\" % \"3.0.5\")\n"),
        ("conf/application.conf", "play.http.secret.key=${?APPLICATION_SECRET}\n"),
        ("app/controllers/HomeController.scala", "package controllers\n"),
    ]
}

fn assembly() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "build.sbt",
            "name := \"api\"\nversion := \"0.1.0\"\nscalaVersion := \"3.3.1\"\n",
        ),
        (
            "project/plugins.sbt",
            "addSbtPlugin(\"com.eed3si9n\" % \"sbt-assembly\" % \"2.2.0\")\n",
        ),
        ("src/main/scala/Main.scala", "object Main extends App\n"),
    ]
}

#[test]
fn native_packager_snapshots() {
    let g = snapshot_variants!(
        "staged",
        Language::Scala,
        "3.3.1",
        &staged(),
        &[(
            "Procfile",
            "web: target/universal/stage/bin/scala-example -Dhttp.port=${PORT} -J-Xmx512m serve\n"
        )],
        &[]
    );
    let [default, cached, dhi, run] = &g[..] else {
        unreachable!()
    };
    assert_mounts_only_with_cache_dir(default, cached, &["sbt", "ivy", "coursier"]);
    let df = &default.dockerfile;
    assert!(
        df.contains("FROM sbtscala/scala-sbt:eclipse-temurin-17.0.15_6_1.10.2_3.3.1 AS builder")
    );
    assert!(df.contains("FROM eclipse-temurin:17-jre"));
    assert_order(
        df,
        &[
            "COPY build.sbt ./",
            "COPY project/ project/",
            "RUN sbt update",
            "COPY . .",
            "RUN sbt compile stage",
        ],
    );
    // The staged folder is the app; the start script's name follows sbt's normalizedName.
    assert!(df.contains("COPY --from=builder --chown=1000:1000 /build/target/universal/stage /app"));
    assert!(
        df.contains(r#"CMD ["sh","-c","bin/scala-example"]"#),
        "{df}"
    );
    // Hardened: no shell for the script, so java runs the main class from build.sbt.
    assert!(dhi
        .dockerfile
        .contains("FROM sbtscala/scala-sbt:eclipse-temurin-17.0.15_6_1.10.2_3.3.1 AS builder"));
    assert!(
        dhi.dockerfile
            .contains(r#"CMD ["java","-cp","lib/*","example.Main"]"#),
        "{}",
        dhi.dockerfile
    );
    assert_eq!(
        run.plan.start_command.command,
        "bin/scala-example -Dhttp.port=${PORT} -J-Xmx512m serve"
    );
    let run_dhi = generate(
        Language::Scala,
        "3.3.1",
        &[staged(), vec![("Procfile", "web: target/universal/stage/bin/scala-example -Dhttp.port=${PORT} -J-Xmx512m serve\n")]].concat(),
        &[("USE_DHI", "true")],
    );
    assert!(
        run_dhi.dockerfile.contains(
            r#"CMD ["java","-Dhttp.port=5000","-Xmx512m","-cp","lib/*","example.Main","serve"]"#
        ),
        "{}",
        run_dhi.dockerfile
    );
}

#[test]
fn play_snapshots() {
    let g = snapshot_variants!(
        "play",
        Language::Scala,
        "2.13.14",
        &play(),
        &[],
        &[(
            "RUN_COMMAND",
            "target/universal/stage/bin/play-app -Dhttp.port=$PORT -Dplay.http.secret.key=$SECRET"
        )]
    );
    let [default, _, dhi, run] = &g[..] else {
        unreachable!()
    };
    // No system.properties: Java 21.
    assert!(default
        .dockerfile
        .contains("FROM sbtscala/scala-sbt:eclipse-temurin-21.0.6_7_1.10.2_2.13.14 AS builder"));
    assert!(default
        .dockerfile
        .contains(r#"CMD ["sh","-c","bin/play-app -Dhttp.port=$PORT -Dpidfile.path=/dev/null"]"#));
    assert!(dhi.dockerfile.contains(
        r#"CMD ["java","-Dhttp.port=5000","-Dpidfile.path=/dev/null","-cp","conf/:lib/*","play.core.server.ProdServerStart"]"#
    ), "{}", dhi.dockerfile);
    assert!(default.plan.notes.iter().any(|n| n.contains("Play")));
    assert!(run.dockerfile.contains(
        r#"CMD ["sh","-c","bin/play-app -Dhttp.port=$PORT -Dplay.http.secret.key=$SECRET"]"#
    ));
}

#[test]
fn assembly_snapshots() {
    let g = snapshot_variants!(
        "assembly",
        Language::Scala,
        "3.3.1",
        &assembly(),
        &[(
            "Procfile",
            "web: java -jar target/scala-3.3.1/api-assembly-0.1.0.jar\n"
        )],
        &[]
    );
    let [default, _, dhi, run] = &g[..] else {
        unreachable!()
    };
    let df = &default.dockerfile;
    // Assembly builds run assembly and start the jar, not a stage script (D.37).
    assert!(
        df.contains(
            "RUN sbt compile assembly \\\n    && find target -maxdepth 2 -type f -name '*.jar'"
        ),
        "{df}"
    );
    assert!(df.contains("COPY --from=builder --chown=1000:1000 /build/app.jar /app/app.jar"));
    assert!(df.contains(r#"CMD ["sh","-c","java $JAVA_OPTS -jar app.jar"]"#));
    assert_order(
        df,
        &[
            "COPY build.sbt ./",
            "COPY project/ project/",
            "RUN sbt update",
            "COPY . .",
        ],
    );
    assert!(dhi.dockerfile.contains(r#"CMD ["java","-jar","app.jar"]"#));
    assert!(run
        .dockerfile
        .contains("&& cp target/scala-3.3.1/api-assembly-0.1.0.jar /build/app.jar"));
    assert_eq!(run.plan.start_command.command, "java -jar app.jar");
}

#[test]
fn sbt_settings_are_used() {
    let mut f = staged();
    f[0] = (
        "build.sbt",
        "lazy val root = (project in file(\".\")).aggregate(web)\nlazy val web = (project in file(\"modules/web\"))\n  .enablePlugins(JavaAppPackaging)\n  .settings(name := \"Web App\")\n",
    );
    let g = generate(
        Language::Scala,
        "3.3.1",
        &f,
        &[
            ("SBT_PROJECT", "web"),
            ("SBT_CLEAN", "true"),
            ("SBT_TASKS", "compile stage"),
        ],
    );
    let df = &g.dockerfile;
    assert!(df.contains("RUN sbt web/update"), "{df}");
    assert!(df.contains("RUN sbt web/clean web/compile web/stage"));
    assert!(df.contains("/build/modules/web/target/universal/stage /app"));
    assert!(df.contains(r#"CMD ["sh","-c","bin/web-app"]"#));
    // Without a packaging plugin, SBT_TASKS decides and the build folder ships whole.
    let mut plain = assembly();
    plain.retain(|(p, _)| *p != "project/plugins.sbt");
    let e = try_generate(Language::Scala, "3.3.1", &plain, &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("project/plugins.sbt:") && e.contains("SBT_TASKS"),
        "{e}"
    );
    let g = generate(
        Language::Scala,
        "3.3.1",
        &plain,
        &[
            ("SBT_TASKS", "compile pack"),
            ("RUN_COMMAND", "target/pack/bin/api"),
        ],
    );
    assert!(g.dockerfile.contains("RUN sbt compile pack"));
    assert!(g
        .dockerfile
        .contains("COPY --from=builder --chown=1000:1000 /build /app"));
}

#[test]
fn refusals_and_versions() {
    let e = try_generate(
        Language::Scala,
        "3.3.1",
        &[("build.sc", "object app extends ScalaModule\n")],
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.starts_with("build.sc: Mill builds are not supported"),
        "{e}"
    );
    let mut f = staged();
    f[1] = ("project/build.properties", "sbt.version=0.12.4\n");
    let e = try_generate(Language::Scala, "3.3.1", &f, &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("sbt 0.12.4 is not supported"), "{e}");
    f[1] = ("project/build.properties", "sbt.version = 0.13.18\n");
    let g = generate(Language::Scala, "3.3.1", &f, &[]);
    assert!(g.plan.warnings.iter().any(|w| w.contains("deprecated")));
    assert!(g.dockerfile.contains("_0.13.18_3.3.1"));
    // Java 1.8 is 8 (the original read it as 1 and silently used 21).
    f[3] = ("system.properties", "java.runtime.version=1.8\n");
    let g = generate(Language::Scala, "3.3.1", &f, &[]);
    assert!(
        g.dockerfile.contains("eclipse-temurin-8u442-b06_")
            && g.dockerfile.contains("FROM eclipse-temurin:8-jre")
    );
    f[3] = ("system.properties", "java.runtime.version=15\n");
    let g = generate(Language::Scala, "3.3.1", &f, &[]);
    assert!(g
        .plan
        .warnings
        .iter()
        .any(|w| w.contains("no sbt image for Java 15")));
    assert!(g.dockerfile.contains("FROM eclipse-temurin:21-jre"));
    // Hardened images need the main class when the stage script would start the app.
    let mut nomain = staged();
    nomain[0] = ("build.sbt", "name := \"x\"\n");
    let e = try_generate(Language::Scala, "3.3.1", &nomain, &[("USE_DHI", "true")])
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("build.sbt: USE_DHI") && e.contains("mainClass"),
        "{e}"
    );
}
