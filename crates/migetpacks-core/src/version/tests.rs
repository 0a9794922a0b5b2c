use super::*;
use crate::settings::EnvMap;
use Language::*;

type Files<'a> = &'a [(&'a str, &'a str)];

fn resolve_with(lang: Language, env: Files, files: Files) -> Result<Version, DetectError> {
    let map: EnvMap = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let settings = Settings::from_env(&map).unwrap();
    resolve(
        lang,
        &settings,
        &SourceTree::in_memory(files.iter().copied()),
    )
}

/// Every version source of every language, in priority order: (language, env, files,
/// expected value, expected source).
#[test]
fn each_source_per_language() {
    let cases: &[(Language, Files, Files, &str, &str)] = &[
        // Node.js: everything is normalised.
        (Nodejs, &[("NODE_VERSION", "20.x")], &[(".nvmrc", "18")], "20", "NODE_VERSION"),
        (Nodejs, &[], &[(".node-version", "v21.1.0"), (".nvmrc", "18")], "21.1.0", ".node-version"),
        (Nodejs, &[], &[(".nvmrc", "# pinned\n\nlts/hydrogen\n")], "18", ".nvmrc"),
        (Nodejs, &[], &[(".nvmrc", "lts/*")], "22", ".nvmrc"),
        (Nodejs, &[], &[(".nvmrc", "\n"), ("package.json", r#"{"engines":{"node":">=18 <=22"}}"#)], "18", "package.json engines.node"),
        (Nodejs, &[], &[("package.json", r#"{"engines":{"node":"^20.11.1"},"devDependencies":{"node":"1"}}"#)], "20.11", "package.json engines.node"),
        (Nodejs, &[], &[("package.json", "{}")], "22.16.0", "default"),
        // Bun.
        (Bun, &[("BUN_VERSION", "1.1.0")], &[(".bun-version", "1.0.0")], "1.1.0", "BUN_VERSION"),
        (Bun, &[], &[(".bun-version", "1.0.30")], "1.0.30", ".bun-version"),
        (Bun, &[], &[(".bun-version", ""), ("bunfig.toml", "version = \"1.1.2\"\n")], "1.1.2", "bunfig.toml version"),
        (Bun, &[], &[("package.json", r#"{"packageManager":"bun@1.1.38+sha512.abc"}"#)], "1.1.38", "package.json packageManager"),
        (Bun, &[], &[], "1.3.4", "default"),
        // Deno: deno.json "version" is the package's version, not Deno's.
        (Deno, &[("DENO_VERSION", "2.0.0")], &[], "2.0.0", "DENO_VERSION"),
        (Deno, &[], &[(".deno-version", "1.46.3"), (".dvmrc", "2.1.0")], "1.46.3", ".deno-version"),
        (Deno, &[], &[(".deno-version", " \n"), (".dvmrc", "2.1.0")], "2.1.0", ".dvmrc"),
        (Deno, &[], &[("deno.json", r#"{"version":"0.1.0"}"#)], "2.6.1", "default"),
        // Ruby.
        (Ruby, &[("RUBY_VERSION", "3.3.1")], &[(".ruby-version", "3.2.0")], "3.3.1", "RUBY_VERSION"),
        (Ruby, &[], &[(".ruby-version", "ruby-3.2.2\n")], "3.2.2", ".ruby-version"),
        (Ruby, &[], &[("Gemfile", "source 'https://rubygems.org'\nruby '3.1.4'\n")], "3.1.4", "Gemfile ruby"),
        (Ruby, &[], &[("Gemfile", "ruby \"~> 3.3.0\"\n")], "3.3", "Gemfile ruby"),
        (Ruby, &[], &[("Gemfile", "gem 'rails'\n")], "3.4.4", "default"),
        // Python.
        (Python, &[("PYTHON_VERSION", "3.13.1")], &[(".python-version", "3.11")], "3.13.1", "PYTHON_VERSION"),
        (Python, &[], &[(".python-version", "3.11\n"), ("runtime.txt", "python-3.9.1")], "3.11", ".python-version"),
        (Python, &[], &[(".python-version", ""), ("runtime.txt", "python-3.10.4\n")], "3.10.4", "runtime.txt"),
        (Python, &[], &[("uv.lock", "version = 1\nrequires-python = \">=3.12\"\n"), ("pyproject.toml", "[project]\nrequires-python = \">=3.9\"\n")], "3.12", "uv.lock requires-python"),
        (Python, &[], &[("pyproject.toml", "[project]\nname = \"x\"\nrequires-python = \">=3.10,<4\"\n")], "3.10", "pyproject.toml project.requires-python"),
        (Python, &[], &[("pyproject.toml", "[tool.poetry.dependencies]\npython = \"^3.11\"\n")], "3.11", "pyproject.toml tool.poetry.dependencies.python"),
        (Python, &[], &[("Pipfile", "[requires]\npython_version = \"3.9\"\n")], "3.9", "Pipfile requires.python_version"),
        (Python, &[], &[("requirements.txt", "six\n")], "3.12.8", "default"),
        // Go.
        (Go, &[("GO_VERSION", "1.22.1")], &[("go.mod", "go 1.19\n")], "1.22.1", "GO_VERSION"),
        (Go, &[], &[(".go-version", "1.21.0"), ("go.mod", "go 1.19\n")], "1.21.0", ".go-version"),
        (Go, &[], &[(".go-version", ""), ("go.mod", "module x\n\ngo 1.21.5\n\ntoolchain go1.22.0\n")], "1.22.0", "go.mod toolchain"),
        (Go, &[], &[("go.mod", "module x\n")], "1.25.0", "default"),
        // Rust.
        (Rust, &[("RUSTUP_TOOLCHAIN", "1.80.0")], &[], "1.80.0", "RUSTUP_TOOLCHAIN"),
        (Rust, &[], &[("rust-toolchain", "1.75.0\n")], "1.75.0", "rust-toolchain"),
        (Rust, &[], &[("rust-toolchain", "[toolchain]\nchannel = \"1.76.0\"\n")], "1.76.0", "rust-toolchain toolchain.channel"),
        (Rust, &[], &[("rust-toolchain.toml", "[toolchain]\nchannel = \"1.78\"\ncomponents = [\"clippy\"]\n")], "1.78", "rust-toolchain.toml toolchain.channel"),
        (Rust, &[], &[("Cargo.toml", "[package]\nname = \"x\"\n")], "1.92.0", "default"),
        // PHP.
        (Php, &[("PHP_VERSION", "8.2")], &[(".php-version", "8.1")], "8.2", "PHP_VERSION"),
        (Php, &[], &[(".php-version", "8.1\n")], "8.1", ".php-version"),
        (Php, &[], &[(".php-version", ""), ("composer.json", r#"{"require":{"php":"^7.4 || ^8.0"}}"#)], "8.0", "composer.json require.php"),
        (Php, &[], &[("composer.json", r#"{"require":{"php":">=8.1"}}"#)], "8.1", "composer.json require.php"),
        (Php, &[], &[("index.php", "<?php")], "8.3", "default"),
        // Java: always a major.
        (Java, &[("JAVA_VERSION", "17.0.2")], &[], "17", "JAVA_VERSION"),
        (Java, &[], &[(".java-version", "1.8")], "8", ".java-version"),
        (Java, &[], &[("system.properties", "java.runtime.version=11\n")], "11", "system.properties java.runtime.version"),
        (Java, &[], &[("system.properties", "java.runtime.version = 1.8\n")], "8", "system.properties java.runtime.version"),
        (Java, &[], &[("pom.xml", "<project><properties>\n<java.version>17</java.version>\n</properties></project>")], "17", "pom.xml java.version"),
        (Java, &[], &[("pom.xml", "<project><properties><jdk>21</jdk><maven.compiler.release>${jdk}</maven.compiler.release></properties></project>")], "21", "pom.xml maven.compiler.release"),
        (Java, &[], &[("pom.xml", "<project><properties><!-- <java.version>8</java.version> --><java.version>17</java.version></properties></project>")], "17", "pom.xml java.version"),
        (Java, &[], &[("pom.xml", "<project><properties><release>11</release></properties><build><plugins><plugin><artifactId>maven-compiler-plugin</artifactId><configuration><release>${release}</release></configuration></plugin></plugins></build></project>")], "11", "pom.xml maven-compiler-plugin release"),
        (Dotnet, &[], &[("Directory.Build.props", "<Project><PropertyGroup><TargetFramework>net9.0</TargetFramework></PropertyGroup></Project>"), ("Api.csproj", "<Project Sdk=\"Microsoft.NET.Sdk.Web\"><!-- <TargetFramework>net10.0</TargetFramework> --></Project>")], "9.0", "Directory.Build.props TargetFramework"),
        (Java, &[], &[("build.gradle.kts", "java { toolchain { languageVersion = JavaLanguageVersion.of(17) } }")], "17", "build.gradle.kts toolchain"),
        (Java, &[], &[("build.gradle", "sourceCompatibility = JavaVersion.VERSION_1_8")], "8", "build.gradle sourceCompatibility"),
        (Java, &[], &[("pom.xml", "<project/>")], "21", "default"),
        // .tool-versions and mise.toml, for every language (after its own version file).
        (Nodejs, &[], &[(".tool-versions", "# asdf\nruby 3.3.5\nnodejs 20.11.1 18.19.0\n"), ("package.json", "{}")], "20.11.1", ".tool-versions nodejs"),
        (Nodejs, &[], &[(".nvmrc", "22"), (".tool-versions", "nodejs 20\n")], "22", ".nvmrc"),
        (Python, &[], &[("mise.toml", "[tools]\npython = \"3.12.4\"\nnode = \"22\"\n")], "3.12.4", "mise.toml tools.python"),
        (Ruby, &[], &[(".mise.toml", "[tools]\nruby = [\"3.3.5\", \"3.2\"]\n")], "3.3.5", ".mise.toml tools.ruby"),
        (Go, &[], &[(".tool-versions", "golang 1.22.5\n"), ("go.mod", "module x\n\ngo 1.21\n")], "1.22.5", ".tool-versions golang"),
        (Php, &[], &[("mise.toml", "[tools]\nphp = { version = \"8.3\" }\n")], "8.3", "mise.toml tools.php"),
        (Java, &[], &[(".tool-versions", "java temurin-17.0.12+7\n")], "17", ".tool-versions java"),
        (Kotlin, &[], &[(".tool-versions", "kotlin 2.0.21\n")], "2.0.21", ".tool-versions kotlin"),
        (Scala, &[], &[("mise.toml", "[tools]\nscala = \"3.5.2\"\n")], "3.5.2", "mise.toml tools.scala"),
        (Deno, &[], &[(".tool-versions", "deno 2.0.6\n")], "2.0.6", ".tool-versions deno"),
        (Bun, &[], &[("mise.toml", "[tools]\nbun = \"1.1.34\"\n")], "1.1.34", "mise.toml tools.bun"),
        (Dotnet, &[], &[(".tool-versions", "dotnet 8.0.403\n")], "8.0", ".tool-versions dotnet"),
        (Rust, &[], &[(".tool-versions", "rust 1.82.0\n"), ("Cargo.toml", "[package]\nname = \"x\"\nrust-version = \"1.74\"\n")], "1.82.0", ".tool-versions rust"),
        (Python, &[], &[(".tool-versions", "python system\n")], "3.12.8", "default"),
        // go.mod toolchain newer than go wins; an older one does not.
        (Go, &[], &[("go.mod", "module x\n\ngo 1.22\n\ntoolchain go1.23.2\n")], "1.23.2", "go.mod toolchain"),
        (Go, &[], &[("go.mod", "module x\n\ngo 1.23.4\ntoolchain go1.23.2\n")], "1.23.4", "go.mod go"),
        // Cargo.toml rust-version, rustup's stable channel.
        (Rust, &[], &[("Cargo.toml", "[package]\nname = \"x\"\nrust-version = \"1.74\"\n")], "1.74", "Cargo.toml package.rust-version"),
        (Rust, &[], &[("rust-toolchain.toml", "[toolchain]\nchannel = \"stable\"\n")], "stable", "rust-toolchain.toml toolchain.channel"),
        (Elixir, &[], &[("mix.exs", "defmodule Shop.MixProject do\n  def project do\n    [\n      app: :shop,\n      elixir: \"~> 1.16\",\n    ]\n  end\nend\n")], "1.16", "mix.exs elixir"),
        // .NET: always major.minor.
        (Dotnet, &[("DOTNET_VERSION", "9")], &[], "9.0", "DOTNET_VERSION"),
        (Dotnet, &[], &[("global.json", "{\n  // pinned\n  \"sdk\": { \"version\": \"8.0.100\" }\n}")], "8.0", "global.json sdk.version"),
        (Dotnet, &[], &[("src/Api/Api.csproj", "<TargetFrameworks>net6.0;netstandard2.0;net8.0-windows</TargetFrameworks>"), ("Web.fsproj", "<TargetFramework>net7.0</TargetFramework>")], "8.0", "src/Api/Api.csproj TargetFramework"),
        (Dotnet, &[], &[("Lib.csproj", "<TargetFramework>netstandard2.0</TargetFramework>"), ("Old.csproj", "<TargetFramework>net48</TargetFramework>")], "8.0", "default"),
        (Dotnet, &[], &[("a/b/c/Deep.csproj", "<TargetFramework>net9.0</TargetFramework>")], "8.0", "default"),
        // Elixir.
        (Elixir, &[("ELIXIR_VERSION", "1.17.3")], &[], "1.17.3", "ELIXIR_VERSION"),
        (Elixir, &[], &[(".elixir-version", "1.16.0")], "1.16.0", ".elixir-version"),
        (Elixir, &[], &[(".tool-versions", "erlang 27.1\nelixir 1.17.3-otp-27\n")], "1.17.3-otp-27", ".tool-versions elixir"),
        (Elixir, &[], &[("mix.exs", "")], "1.18.4", "default"),
        // Scala.
        (Scala, &[("SCALA_VERSION", "2.13.14")], &[], "2.13.14", "SCALA_VERSION"),
        (Scala, &[], &[(".scala-version", "3.4.0")], "3.4.0", ".scala-version"),
        (Scala, &[], &[("build.sbt", "ThisBuild / scalaVersion := \"3.3.1\"\nscalaVersion := \"2.13.0\"\n")], "3.3.1", "build.sbt scalaVersion"),
        (Scala, &[], &[("build.sbt", "val scala3Version = \"3.3.3\"\nscalaVersion := scala3Version\n")], "3.3.3", "build.sbt scalaVersion"),
        (Scala, &[], &[("project/build.properties", "sbt.version=1.10.0\nscala.version=2.12.19\n")], "2.12.19", "project/build.properties scala.version"),
        (Scala, &[], &[("build.sbt", "name := \"x\"")], "3.5.2", "default"),
        // Clojure.
        (Clojure, &[("CLOJURE_VERSION", "1.12.0")], &[], "1.12.0", "CLOJURE_VERSION"),
        (Clojure, &[], &[(".clojure-version", "1.10.3")], "1.10.3", ".clojure-version"),
        (Clojure, &[], &[("project.clj", "(defproject x \"0.1.0\"\n  :dependencies [[org.clojure/clojure \"1.11.2\"]])")], "1.11.2", "project.clj org.clojure/clojure"),
        (Clojure, &[], &[("deps.edn", "{:deps {org.clojure/clojure {:mvn/version \"1.12.0\"}}}")], "1.12.0", "deps.edn org.clojure/clojure"),
        (Clojure, &[], &[("deps.edn", "{:paths [\"src\"]}")], "1.11.1", "default"),
        // Kotlin.
        (Kotlin, &[("KOTLIN_VERSION", "2.0.0")], &[], "2.0.0", "KOTLIN_VERSION"),
        (Kotlin, &[], &[(".kotlin-version", "1.9.24")], "1.9.24", ".kotlin-version"),
        (Kotlin, &[], &[("gradle.properties", "org.gradle.jvmargs=-Xmx2g\nkotlin.version=1.9.23\n")], "1.9.23", "gradle.properties kotlin.version"),
        (Kotlin, &[], &[("build.gradle.kts", "plugins {\n  kotlin(\"jvm\") version \"1.9.22\"\n}")], "1.9.22", "build.gradle.kts kotlin plugin"),
        (Kotlin, &[], &[("build.gradle", "plugins {\n  id 'org.jetbrains.kotlin.jvm' version '2.0.21'\n}")], "2.0.21", "build.gradle kotlin plugin"),
        (Kotlin, &[], &[("settings.gradle.kts", "")], "2.1.0", "default"),
    ];
    for (lang, env, files, value, source) in cases {
        let v = resolve_with(*lang, env, files)
            .unwrap_or_else(|e| panic!("{lang} {env:?} {files:?}: {e}"));
        assert_eq!(
            (v.value.as_str(), v.source.as_str()),
            (*value, *source),
            "{lang} {env:?} {files:?}"
        );
        assert!(v.warnings.is_empty(), "{lang} {files:?}: {:?}", v.warnings);
        assert_eq!(v.raw.is_none(), *source == "default", "{lang} {files:?}");
    }
}

/// Unusable values fall back to the default with a warning naming where they came from.
#[test]
fn unusable_values_fall_back_with_a_warning() {
    let cases: &[(Language, Files, Files, &str, &str)] = &[
        (
            Nodejs,
            &[],
            &[("package.json", r#"{"engines":{"node":"<22"}}"#)],
            "22.16.0",
            "package.json engines.node",
        ),
        (
            Nodejs,
            &[],
            &[(".nvmrc", "lts/nosuchname")],
            "22.16.0",
            ".nvmrc",
        ),
        (
            Nodejs,
            &[("NODE_VERSION", "*")],
            &[],
            "22.16.0",
            "NODE_VERSION",
        ),
        (
            Java,
            &[],
            &[("pom.xml", "<project><properties><java.version>${missing.prop}</java.version></properties></project>")],
            "21",
            "pom.xml java.version",
        ),
        (
            Rust,
            &[],
            &[("rust-toolchain.toml", "[toolchain]\nchannel = \"nightly-2024-05-01\"\n")],
            "1.92.0",
            "rust-toolchain.toml toolchain.channel",
        ),
        (
            Python,
            &[],
            &[(".python-version", "system")],
            "3.12.8",
            ".python-version",
        ),
        (
            Dotnet,
            &[("DOTNET_VERSION", "latest")],
            &[],
            "8.0",
            "DOTNET_VERSION",
        ),
    ];
    for (lang, env, files, value, named) in cases {
        let v = resolve_with(*lang, env, files).unwrap();
        assert_eq!(v.value, *value, "{lang} {files:?}");
        assert_eq!(v.source, "default");
        assert!(v.raw.is_some());
        assert_eq!(v.warnings.len(), 1, "{lang} {files:?}");
        assert!(
            v.warnings[0].starts_with(named) && v.warnings[0].contains(value),
            "{:?}",
            v.warnings
        );
    }
}

/// Empty version files are absent: the next source (or the default) is used, never an
/// empty tag.
#[test]
fn empty_version_files_are_absent() {
    let empties = [
        (Nodejs, ".nvmrc"),
        (Nodejs, ".node-version"),
        (Bun, ".bun-version"),
        (Deno, ".deno-version"),
        (Ruby, ".ruby-version"),
        (Python, ".python-version"),
        (Python, "runtime.txt"),
        (Go, ".go-version"),
        (Rust, "rust-toolchain"),
        (Php, ".php-version"),
        (Java, ".java-version"),
        (Elixir, ".elixir-version"),
        (Scala, ".scala-version"),
        (Clojure, ".clojure-version"),
        (Kotlin, ".kotlin-version"),
    ];
    for (lang, file) in empties {
        for content in ["", "\n", "# comment only\n", "   \n\n"] {
            let v = resolve_with(lang, &[], &[(file, content)]).unwrap();
            assert_eq!(v.value, default_version(lang), "{file} {content:?}");
            assert_eq!(v.source, "default");
            assert!(v.warnings.is_empty());
        }
    }
}

#[test]
fn malformed_manifests_name_the_file() {
    let cases: &[(Language, &str, &str)] = &[
        (Nodejs, "package.json", "{"),
        (Php, "composer.json", "{\"require\":"),
        (Python, "pyproject.toml", "[project\nrequires-python = 1"),
        (Dotnet, "global.json", "{ sdk: }"),
        (Rust, "rust-toolchain.toml", "[toolchain\n"),
    ];
    for (lang, file, text) in cases {
        let e = resolve_with(*lang, &[], &[(file, text)]).unwrap_err();
        assert!(
            matches!(&e, DetectError::Manifest { path, .. } if path == file),
            "{file}: {e}"
        );
        assert!(e.to_string().starts_with(file), "{e}");
    }
}

#[test]
fn passthrough_modes_have_no_version() {
    for lang in [Dockerfile, Compose] {
        let v = resolve_with(lang, &[], &[("Dockerfile", "FROM x")]).unwrap();
        assert_eq!((v.value.as_str(), v.source.as_str()), ("", "none"));
    }
}

#[test]
fn java_major_table() {
    for (raw, want) in [
        ("1.8", Some("8")),
        ("1.11", Some("11")),
        ("17.0.2", Some("17")),
        ("21", Some("21")),
        ("11.0.2+9", Some("11")),
        (" 17 ", Some("17")),
        ("${java.version}", None),
        ("", None),
        ("0", None),
    ] {
        assert_eq!(java_major(raw).as_deref(), want, "{raw:?}");
    }
}

#[test]
fn tags_and_versions() {
    assert!(is_valid_tag("a") && is_valid_tag("_x") && is_valid_tag(&"9".repeat(128)));
    assert!(!is_valid_tag(&"9".repeat(129)) && !is_valid_tag("-1") && !is_valid_tag("a b"));
    assert!(is_valid_version("3.12") && !is_valid_version("stable") && !is_valid_version(""));
    assert_eq!(first_line("# c\n\n 3.1 1 \n4"), "3.11");
}
