//! Clojure (Leiningen and the Clojure CLI with tools.build).

use crate::support;

use migetpacks_core::language::Language;
use support::{assert_mounts_only_with_cache_dir, assert_order, generate, try_generate};

fn lein() -> Vec<(&'static str, &'static str)> {
    vec![
        ("project.clj", "(defproject acme/shop \"1.2.0\"\n  :dependencies [[org.clojure/clojure \"1.12.0\"]]\n  :main shop.core\n  :profiles {:uberjar {:aot :all}})\n"),
        ("src/shop/core.clj", "(ns shop.core (:gen-class))\n(defn -main [& args])\n"),
        ("system.properties", "java.runtime.version=17\n"),
    ]
}

fn deps() -> Vec<(&'static str, &'static str)> {
    vec![
        ("deps.edn", "{:paths [\"src\"]\n :deps {org.clojure/clojure {:mvn/version \"1.12.0\"}}\n :aliases {:build {:deps {io.github.clojure/tools.build {:mvn/version \"0.10.5\"}}\n                   :ns-default build}}}\n"),
        ("build.clj", "(ns build (:require [clojure.tools.build.api :as b]))\n(defn uber [_])\n"),
        ("src/app/core.clj", "(ns app.core (:gen-class))\n"),
    ]
}

#[test]
fn lein_snapshots() {
    let g = snapshot_variants!(
        "lein",
        Language::Clojure,
        "1.12.0",
        &lein(),
        &[(
            "Procfile",
            "web: java $JAVA_OPTS -jar target/uberjar/shop-1.2.0-standalone.jar\n"
        )],
        &[]
    );
    let [default, cached, dhi, run] = &g[..] else {
        unreachable!()
    };
    assert_mounts_only_with_cache_dir(default, cached, &["m2"]);
    let df = &default.dockerfile;
    assert!(df.contains("FROM clojure:temurin-17-lein AS builder"));
    assert!(df.contains("FROM eclipse-temurin:17-jre"));
    // The uberjar name is resolved now, with the version Leiningen puts in it (D.37).
    assert_order(df, &["COPY project.clj ./", "RUN lein deps", "COPY . .", "RUN lein uberjar \\\n    && cp target/uberjar/shop-1.2.0-standalone.jar /build/app.jar"]);
    assert!(df.contains(r#"CMD ["sh","-c","java $JAVA_OPTS -jar app.jar"]"#));
    // The runtime environment is emitted for Clojure too.
    assert!(
        df.contains("ENV JAVA_TOOL_OPTIONS=\"-Dfile.encoding=UTF-8 -XX:MaxRAMPercentage=80.0\"")
    );
    // Hardened runtime, official builder (it carries lein).
    assert!(dhi
        .dockerfile
        .contains("FROM clojure:temurin-17-lein AS builder"));
    assert!(dhi.dockerfile.contains("FROM dhi.io/eclipse-temurin:17\n"));
    assert!(dhi.dockerfile.contains(r#"CMD ["java","-jar","app.jar"]"#));
    assert_eq!(
        run.plan.start_command.command,
        "java $JAVA_OPTS -jar app.jar"
    );
    assert!(
        default.plan.warnings.is_empty(),
        "{:?}",
        default.plan.warnings
    );
}

#[test]
fn deps_edn_snapshots() {
    let g = snapshot_variants!(
        "deps_edn",
        Language::Clojure,
        "1.12.0",
        &deps(),
        &[],
        &[("RUN_COMMAND", "java -jar target/app-standalone.jar")]
    );
    let [default, cached, _, run] = &g[..] else {
        unreachable!()
    };
    assert_mounts_only_with_cache_dir(default, cached, &["m2"]);
    let df = &default.dockerfile;
    assert!(df.contains("FROM clojure:temurin-21-tools-deps AS builder"));
    assert_order(
        df,
        &[
            "COPY deps.edn ./",
            "RUN clojure -P \\\n    && clojure -P -T:build",
            "COPY . .",
            "RUN clojure -T:build uber",
            "find target -maxdepth 1",
        ],
    );
    assert!(run
        .dockerfile
        .contains("&& cp target/app-standalone.jar /build/app.jar"));
    assert_eq!(default.plan.package_manager.as_deref(), Some("clojure"));
}

#[test]
fn refusals_tasks_and_warnings() {
    let e = try_generate(
        Language::Clojure,
        "1.12.0",
        &[("deps.edn", "{:deps {}}\n")],
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("deps.edn: no :build alias"), "{e}");
    // Java 1.8 is 8 (the original emitted clojure:temurin-1-lein).
    let mut f = lein();
    f[2] = ("system.properties", "java.runtime.version=1.8\n");
    assert!(generate(Language::Clojure, "1.12.0", &f, &[])
        .dockerfile
        .contains("FROM clojure:temurin-8-lein AS builder"));
    // Another lein task: the jar is chosen at build time among the standalone jars.
    let g = generate(
        Language::Clojure,
        "1.12.0",
        &lein(),
        &[("LEIN_BUILD_TASK", "with-profile prod uberjar")],
    );
    assert!(g.dockerfile.contains("RUN lein with-profile prod uberjar \\\n    && find target -maxdepth 2 -type f -name '*-standalone.jar'"), "{}", g.dockerfile);
    let g = generate(
        Language::Clojure,
        "1.12.0",
        &lein(),
        &[("BUILD_COMMAND", "lein do clean, uberjar")],
    );
    assert_order(
        &g.dockerfile,
        &[
            "RUN lein do clean, uberjar\n",
            "RUN cp target/uberjar/shop-1.2.0-standalone.jar /build/app.jar",
        ],
    );
    let mut nomain = lein();
    nomain[0] = ("project.clj", "(defproject shop \"0.1.0\")\n");
    let g = generate(Language::Clojure, "1.12.0", &nomain, &[]);
    assert!(g.plan.warnings.iter().any(|w| w.contains(":main")));
}
