//! Java and Kotlin (Maven and Gradle, with and without wrappers).

use crate::support;

use migetpacks_core::language::Language;
use migetpacks_core::plan::{CommandSource, Phase};
use support::{assert_mounts_only_with_cache_dir, assert_order, generate, try_generate};

const POM: &str = "<project>\n  <modelVersion>4.0.0</modelVersion>\n  <groupId>com.example</groupId>\n  <artifactId>demo</artifactId>\n  <version>0.1.0</version>\n</project>\n";
const APP: &str =
    "package com.example;\npublic class App { public static void main(String[] a) {} }\n";

fn maven() -> Vec<(&'static str, &'static str)> {
    vec![
        ("pom.xml", POM),
        ("src/main/java/com/example/App.java", APP),
    ]
}

fn maven_wrapper() -> Vec<(&'static str, &'static str)> {
    let mut f = maven();
    f.push(("mvnw", "#!/bin/sh\n"));
    f.push((
        ".mvn/wrapper/maven-wrapper.properties",
        "distributionUrl=https://example.invalid/maven.zip\n",
    ));
    f
}

fn gradle() -> Vec<(&'static str, &'static str)> {
    vec![
        ("build.gradle", "plugins { id 'java' }\n"),
        ("settings.gradle", "rootProject.name = 'demo'\n"),
        ("src/main/java/com/example/App.java", APP),
    ]
}

fn gradle_wrapper() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "build.gradle.kts",
            "plugins { java; id(\"org.springframework.boot\") version \"3.3.0\" }\n",
        ),
        ("settings.gradle.kts", "rootProject.name = \"demo\"\n"),
        ("gradle.properties", "org.gradle.jvmargs=-Xmx1g\n"),
        ("gradlew", "#!/bin/sh\n"),
        (
            "gradle/wrapper/gradle-wrapper.properties",
            "distributionUrl=https://example.invalid/gradle.zip\n",
        ),
        ("gradle/libs.versions.toml", "[versions]\n"),
        ("src/main/java/com/example/App.java", APP),
    ]
}

fn kotlin() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "build.gradle.kts",
            "plugins { kotlin(\"jvm\") version \"2.1.0\" }\n",
        ),
        ("settings.gradle.kts", "rootProject.name = \"demo\"\n"),
        ("gradlew", "#!/bin/sh\n"),
        (
            "gradle/wrapper/gradle-wrapper.properties",
            "distributionUrl=https://example.invalid/gradle.zip\n",
        ),
        ("system.properties", "java.runtime.version=17\n"),
        ("src/main/kotlin/App.kt", "fun main() {}\n"),
    ]
}

#[test]
fn maven_snapshots() {
    let g = snapshot_variants!(
        "maven",
        Language::Java,
        "21",
        &maven(),
        &[(
            "Procfile",
            "web: java -Dserver.port=$PORT $JAVA_OPTS -jar target/demo-0.1.0.jar\n"
        )],
        &[]
    );
    let [default, cached, dhi, run] = &g[..] else {
        unreachable!()
    };
    assert_mounts_only_with_cache_dir(default, cached, &["maven"]);
    let df = &default.dockerfile;
    assert!(df.contains("FROM maven:3-eclipse-temurin-21 AS builder"));
    assert!(df.contains("FROM eclipse-temurin:21-jre"));
    assert_order(
        df,
        &[
            "COPY pom.xml ./",
            "mvn -B dependency:go-offline",
            "COPY . .",
            "mvn -B -DskipTests package",
            "find target -maxdepth 1",
        ],
    );
    // The runtime holds the one jar the builder chose; no glob reaches the start command.
    assert!(df.contains("COPY --from=builder --chown=1000:1000 /build/app.jar /app/app.jar"));
    assert!(
        df.contains(r#"CMD ["sh","-c","java $JAVA_OPTS -jar app.jar"]"#),
        "{df}"
    );
    assert!(!df.contains("target/*.jar"));
    assert_eq!(default.plan.package_manager.as_deref(), Some("maven"));
    // Hardened: JDK dev image with Maven from apt, exec form without $JAVA_OPTS.
    let d = &dhi.dockerfile;
    assert!(d.contains("FROM dhi.io/eclipse-temurin:21-jdk-dev AS builder"));
    assert!(d.contains("apt-get install -y --no-install-recommends maven"));
    assert!(d.contains("FROM dhi.io/eclipse-temurin:21\n"));
    assert!(d.contains(r#"CMD ["java","-jar","app.jar"]"#), "{d}");
    assert!(d.contains("--chown=nonroot:nonroot"));
    // A Procfile naming one jar: that exact jar is copied, and the command runs app.jar.
    assert!(
        run.dockerfile.contains(
            "RUN mvn -B -DskipTests package \\\n    && cp target/demo-0.1.0.jar /build/app.jar"
        ),
        "{}",
        run.dockerfile
    );
    assert_eq!(run.plan.start_command.source, CommandSource::Procfile);
    assert_eq!(
        run.plan.start_command.command,
        "java -Dserver.port=$PORT $JAVA_OPTS -jar app.jar"
    );
}

#[test]
fn maven_wrapper_snapshots() {
    let g = snapshot_variants!(
        "maven_wrapper",
        Language::Java,
        "1.8",
        &maven_wrapper(),
        &[],
        &[(
            "RUN_COMMAND",
            "java -cp target/classes:target/dependency/* com.example.App"
        )]
    );
    let [default, _, dhi, run] = &g[..] else {
        unreachable!()
    };
    let df = &default.dockerfile;
    // 1.8 is Java 8 in every tag.
    assert!(
        df.contains("FROM maven:3-eclipse-temurin-8 AS builder")
            && df.contains("FROM eclipse-temurin:8-jre")
    );
    assert_order(
        df,
        &[
            "COPY pom.xml mvnw ./",
            "COPY .mvn/ .mvn/",
            "chmod +x mvnw",
            "./mvnw -B dependency:go-offline",
            "COPY . .",
            "./mvnw -B -DskipTests package",
        ],
    );
    // The wrapper brings Maven: no apt install in the hardened builder.
    assert!(!dhi.dockerfile.contains("apt-get"));
    // A classpath start command needs the whole build folder, as written.
    let r = &run.dockerfile;
    assert!(r.contains("COPY --from=builder --chown=1000:1000 /build /app"));
    assert!(!r.contains("app.jar"));
    assert_eq!(
        run.plan.start_command.command,
        "java -cp target/classes:target/dependency/* com.example.App"
    );
}

#[test]
fn gradle_snapshots() {
    let g = snapshot_variants!(
        "gradle",
        Language::Java,
        "17",
        &gradle(),
        &[("Procfile", "web: java -jar build/libs/*-all.jar\n")],
        &[]
    );
    let [default, cached, dhi, run] = &g[..] else {
        unreachable!()
    };
    assert_mounts_only_with_cache_dir(default, cached, &["gradle"]);
    // No wrapper: no wrapper cache either.
    assert!(!cached.dockerfile.contains("gradle-wrapper"));
    let df = &default.dockerfile;
    assert!(df.contains("FROM gradle:jdk17 AS builder"));
    assert_order(
        df,
        &[
            "COPY settings.gradle build.gradle ./",
            "gradle dependencies --no-daemon",
            "COPY . .",
            "gradle build -x check --no-daemon",
            "find build/libs -maxdepth 1",
        ],
    );
    // Gradle jars come from build/libs (the original looked in target/).
    assert!(!df.contains("target"));
    // Hardened without a wrapper: official Gradle builder, hardened runtime.
    assert!(dhi.dockerfile.contains("FROM gradle:jdk17 AS builder"));
    assert!(dhi.dockerfile.contains("FROM dhi.io/eclipse-temurin:17\n"));
    assert!(run
        .dockerfile
        .contains("find build/libs -maxdepth 1 -type f -name '*-all.jar'"));
    assert_eq!(run.plan.start_command.command, "java -jar app.jar");
}

#[test]
fn gradle_wrapper_snapshots() {
    let g = snapshot_variants!(
        "gradle_wrapper",
        Language::Java,
        "21",
        &gradle_wrapper(),
        &[],
        &[("RUN_COMMAND", "java -jar app.jar --port $PORT")]
    );
    let [default, cached, dhi, run] = &g[..] else {
        unreachable!()
    };
    assert_mounts_only_with_cache_dir(default, cached, &["gradle", "gradle-wrapper"]);
    assert_order(
        &default.dockerfile,
        &[
            "COPY gradlew settings.gradle.kts build.gradle.kts gradle.properties ./",
            "COPY gradle/ gradle/",
            "./gradlew dependencies",
            "COPY . .",
            "RUN chmod +x gradlew \\\n    && ./gradlew build -x check",
        ],
    );
    assert!(dhi
        .dockerfile
        .contains("FROM dhi.io/eclipse-temurin:21-jdk-dev AS builder"));
    assert!(run
        .dockerfile
        .contains(r#"CMD ["sh","-c","java -jar app.jar --port $PORT"]"#));
}

#[test]
fn kotlin_snapshots() {
    let g = snapshot_variants!(
        "kotlin",
        Language::Kotlin,
        "2.1.0",
        &kotlin(),
        &[(
            "Procfile",
            "web: java $JAVA_OPTS -jar build/libs/demo.jar --port=${PORT}\n"
        )],
        &[]
    );
    let [default, _, dhi, run] = &g[..] else {
        unreachable!()
    };
    // The Java major comes from system.properties, not from Kotlin's version.
    assert!(default.dockerfile.contains("FROM gradle:jdk17 AS builder"));
    assert!(default.dockerfile.contains("FROM eclipse-temurin:17-jre"));
    // The runtime environment is emitted for Kotlin too.
    assert!(default
        .dockerfile
        .contains("JAVA_TOOL_OPTIONS=\"-Dfile.encoding=UTF-8 -XX:MaxRAMPercentage=80.0\""));
    assert!(dhi
        .dockerfile
        .contains("FROM dhi.io/eclipse-temurin:17-jdk-dev AS builder"));
    assert_eq!(
        run.plan.start_command.command,
        "java $JAVA_OPTS -jar app.jar --port=${PORT}"
    );
    let run_dhi = generate(
        Language::Kotlin,
        "2.1.0",
        &[
            kotlin(),
            vec![(
                "Procfile",
                "web: java $JAVA_OPTS -jar build/libs/demo.jar --port=${PORT}\n",
            )],
        ]
        .concat(),
        &[("USE_DHI", "true"), ("PORT", "8080")],
    );
    // No shell in the hardened runtime: $JAVA_OPTS dropped, $PORT resolved now.
    assert!(
        run_dhi
            .dockerfile
            .contains(r#"CMD ["java","-jar","app.jar","--port=8080"]"#),
        "{}",
        run_dhi.dockerfile
    );
}

#[test]
fn one_build_tool_decision_for_image_and_steps() {
    let mut both = maven();
    both.push(("build.gradle", "plugins { id 'java' }\n"));
    let java = generate(Language::Java, "21", &both, &[]);
    assert!(java
        .dockerfile
        .contains("FROM maven:3-eclipse-temurin-21 AS builder"));
    assert!(java.dockerfile.contains("mvn -B -DskipTests package"));
    assert!(!java.dockerfile.contains("gradle"));
    let kotlin = generate(Language::Kotlin, "2.1.0", &both, &[]);
    assert!(kotlin.dockerfile.contains("FROM gradle:jdk21 AS builder"));
    assert!(!kotlin.dockerfile.contains("mvn"));
    // Kotlin with only a pom.xml builds with Maven rather than failing.
    let kmaven = generate(Language::Kotlin, "2.1.0", &maven(), &[]);
    assert!(kmaven.dockerfile.contains("mvn -B -DskipTests package"));
}

#[test]
fn module_poms_keep_their_paths() {
    let mut f = maven();
    f.push(("web/pom.xml", POM));
    f.push(("core/pom.xml", POM));
    let g = generate(Language::Java, "21", &f, &[]);
    let manifests = g.plan.phase(Phase::Manifests);
    assert_eq!(manifests.len(), 3, "{}", g.dockerfile);
    assert_order(
        &g.dockerfile,
        &[
            "COPY pom.xml ./",
            "COPY core/pom.xml core/",
            "COPY web/pom.xml web/",
            "COPY . .",
        ],
    );
}

#[test]
fn java_versions_and_errors() {
    let e = try_generate(Language::Java, "lts", &maven(), &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"lts\" is not a Java version"), "{e}");
    let mut k = kotlin();
    k.retain(|(p, _)| *p != "system.properties");
    k.push(("system.properties", "java.runtime.version=1.8\n"));
    assert!(generate(Language::Kotlin, "2.1.0", &k, &[])
        .dockerfile
        .contains("FROM gradle:jdk8 AS builder"));
    let g = generate(Language::Kotlin, "2.1.0", &k, &[("JAVA_VERSION", "11")]);
    assert!(g.dockerfile.contains("FROM eclipse-temurin:11-jre"));
    k.retain(|(p, _)| *p != "system.properties");
    k.push(("system.properties", "java.runtime.version=7\n"));
    let e = try_generate(Language::Kotlin, "2.1.0", &k, &[])
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("system.properties: Java 7 is older"), "{e}");
    let e = try_generate(Language::Java, "21", &[("src/App.java", APP)], &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("pom.xml") && e.contains("Maven or Gradle"),
        "{e}"
    );
}

#[test]
fn build_command_replaces_package_and_keeps_jar_selection() {
    let g = generate(
        Language::Java,
        "21",
        &maven(),
        &[("BUILD_COMMAND", "mvn -B -Pprod package")],
    );
    assert!(g.dockerfile.contains("RUN mvn -B -Pprod package"));
    assert!(!g.dockerfile.contains("-DskipTests package"));
    assert_order(
        &g.dockerfile,
        &["mvn -B -Pprod package", "find target -maxdepth 1"],
    );
}

#[test]
fn build_secrets_reach_warm_up_and_build() {
    let g = generate(
        Language::Java,
        "21",
        &gradle(),
        &[("BUILD_SECRETS", "REPO_TOKEN")],
    );
    assert_eq!(
        g.dockerfile
            .matches("--mount=type=secret,id=REPO_TOKEN \\")
            .count(),
        2,
        "{}",
        g.dockerfile
    );
}
