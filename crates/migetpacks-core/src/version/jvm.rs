//! Version sources of the JVM languages: Java, Kotlin, Scala, Clojure.

use super::sources::{manifest, non_empty, Found, VersionSources as Cx};
use super::Transform;
use regex::Regex;

re!(
    SCALA_VERSION,
    r#"scalaVersion\s*:=\s*(?:"([^"]*)"|([A-Za-z_][A-Za-z0-9_]*))"#
);
re!(SCALA_PROPERTY, r"^scala\.version\s*=\s*(.*)$");
re!(CLOJURE_LEIN, r#"\[\s*org\.clojure/clojure\s+"([^"]*)""#);
re!(
    CLOJURE_DEPS,
    r#"org\.clojure/clojure[^"\]}]*"(\d+\.\d+\.\d+)""#
);
re!(
    KOTLIN_PROPERTY,
    r"^(?:kotlin\.version|kotlin_version|kotlinVersion)\s*=\s*(.*)$"
);
re!(
    KOTLIN_DSL,
    r#"kotlin\s*\(\s*"[^"]*"\s*\)\s*version\s*"([^"]*)""#
);
re!(
    KOTLIN_PLUGIN_ID,
    r#"id\s*\(?\s*['"]org\.jetbrains\.kotlin\.[\w.-]+['"]\s*\)?\s*version\s*\(?\s*['"]([^'"]*)['"]"#
);
re!(JAVA_RUNTIME, r"^java\.runtime\.version\s*=([^=]*)");
re!(
    GRADLE_TOOLCHAIN,
    r"JavaLanguageVersion\.of\s*\(\s*(\d+)\s*\)"
);
re!(GRADLE_COMPAT, r"JavaVersion\.VERSION_((?:1_)?\d+)");

pub(crate) fn java(cx: &Cx) -> Found {
    first!(
        cx.env(Transform::JavaMajor),
        cx.version_file(".java-version", Transform::JavaMajor),
        cx.tool_files(Transform::JavaMajor),
        system_properties(cx),
        pom_java(cx),
        gradle_toolchain(cx, "build.gradle.kts"),
        gradle_toolchain(cx, "build.gradle"),
    )
}

/// `system.properties` `java.runtime.version=17`.
fn system_properties(cx: &Cx) -> Found {
    let Some(text) = cx.read("system.properties")? else {
        return Ok(None);
    };
    Ok(text
        .lines()
        .find_map(|l| JAVA_RUNTIME.captures(l.trim_start()))
        .and_then(|c| c.get(1))
        .and_then(|m| {
            let v: String = m.as_str().chars().filter(|c| !c.is_whitespace()).collect();
            non_empty(
                "system.properties java.runtime.version",
                &v,
                Transform::JavaMajor,
            )
        }))
}

/// `pom.xml` `<properties>`: `java.version`, else `maven.compiler.release`, `…source`,
/// `…target`; else the `maven-compiler-plugin` `<configuration>`'s `release`, `source`,
/// `target`. `${name}` references resolve from `<properties>`; comments are not elements.
fn pom_java(cx: &Cx) -> Found {
    let Some(text) = cx.read("pom.xml")? else {
        return Ok(None);
    };
    let doc = super::xml::parse("pom.xml", &text)?;
    let props = super::xml::pom_properties(&doc);
    let from_properties = [
        "java.version",
        "maven.compiler.release",
        "maven.compiler.source",
        "maven.compiler.target",
    ]
    .into_iter()
    .filter_map(|tag| Some((format!("pom.xml {tag}"), props.get(tag)?.clone())));
    let from_plugin = super::xml::compiler_plugin(&doc)
        .into_iter()
        .map(|(tag, v)| (format!("pom.xml maven-compiler-plugin {tag}"), v));
    for (source, value) in from_properties.chain(from_plugin) {
        let value = super::xml::resolve(&value, &props);
        if let Some(c) = non_empty(&source, &value, Transform::JavaMajor) {
            return Ok(Some(c));
        }
    }
    Ok(None)
}

/// Gradle: `JavaLanguageVersion.of(17)` or `JavaVersion.VERSION_17` / `VERSION_1_8`.
fn gradle_toolchain(cx: &Cx, path: &str) -> Found {
    let Some(text) = cx.read(path)? else {
        return Ok(None);
    };
    if let Some(m) = GRADLE_TOOLCHAIN.captures(&text).and_then(|c| c.get(1)) {
        return Ok(non_empty(
            &format!("{path} toolchain"),
            m.as_str(),
            Transform::JavaMajor,
        ));
    }
    Ok(GRADLE_COMPAT
        .captures(&text)
        .and_then(|c| c.get(1))
        .and_then(|m| {
            non_empty(
                &format!("{path} sourceCompatibility"),
                &m.as_str().replace('_', "."),
                Transform::JavaMajor,
            )
        }))
}

pub(crate) fn kotlin(cx: &Cx) -> Found {
    first!(
        cx.env(Transform::Verbatim),
        cx.version_file(".kotlin-version", Transform::Verbatim),
        cx.tool_files(Transform::Verbatim),
        cx.line(
            "gradle.properties",
            &KOTLIN_PROPERTY,
            "gradle.properties kotlin.version",
            Transform::Verbatim
        ),
        cx.line(
            "build.gradle.kts",
            &KOTLIN_DSL,
            "build.gradle.kts kotlin plugin",
            Transform::Verbatim
        ),
        cx.line(
            "build.gradle.kts",
            &KOTLIN_PLUGIN_ID,
            "build.gradle.kts kotlin plugin",
            Transform::Verbatim
        ),
        cx.line(
            "build.gradle",
            &KOTLIN_PLUGIN_ID,
            "build.gradle kotlin plugin",
            Transform::Verbatim
        ),
    )
}

pub(crate) fn clojure(cx: &Cx) -> Found {
    first!(
        cx.env(Transform::Verbatim),
        cx.version_file(".clojure-version", Transform::Verbatim),
        cx.line(
            "project.clj",
            &CLOJURE_LEIN,
            "project.clj org.clojure/clojure",
            Transform::Verbatim
        ),
        cx.line(
            "deps.edn",
            &CLOJURE_DEPS,
            "deps.edn org.clojure/clojure",
            Transform::Verbatim
        ),
    )
}

pub(crate) fn scala(cx: &Cx) -> Found {
    first!(
        cx.env(Transform::Verbatim),
        cx.version_file(".scala-version", Transform::Verbatim),
        cx.tool_files(Transform::Verbatim),
        build_sbt_scala(cx),
        cx.line(
            "project/build.properties",
            &SCALA_PROPERTY,
            "project/build.properties scala.version",
            Transform::Verbatim
        ),
    )
}

/// `scalaVersion := "3.3.1"`, or `scalaVersion := scala3Version` with
/// `val scala3Version = "3.3.1"` in the same file.
fn build_sbt_scala(cx: &Cx) -> Found {
    let Some(text) = cx.read("build.sbt")? else {
        return Ok(None);
    };
    let Some(caps) = SCALA_VERSION.captures(&text) else {
        return Ok(None);
    };
    if let Some(lit) = caps.get(1) {
        return Ok(non_empty(
            "build.sbt scalaVersion",
            lit.as_str(),
            Transform::Verbatim,
        ));
    }
    let Some(ident) = caps.get(2) else {
        return Ok(None);
    };
    let val = Regex::new(&format!(
        r#"val\s+{}\s*=\s*"([^"]*)""#,
        regex::escape(ident.as_str())
    ))
    .map_err(|e| manifest("build.sbt", e))?;
    Ok(val
        .captures(&text)
        .and_then(|c| c.get(1))
        .and_then(|m| non_empty("build.sbt scalaVersion", m.as_str(), Transform::Verbatim)))
}
