//! XML project files (Maven `pom.xml`, MSBuild `.csproj`/`.fsproj`/`.vbproj`,
//! `Directory.Build.props`) read with a real XML parser: comments, CDATA and namespaces are the
//! parser's business, so `<!-- <java.version>8</java.version> -->` is never a version.

use super::sources::manifest;
use crate::detect::DetectError;
use std::collections::BTreeMap;

/// Parse a project file; malformed XML (or a DTD, which no project file needs) is an error
/// naming the file.
pub(crate) fn parse<'t>(path: &str, text: &'t str) -> Result<roxmltree::Document<'t>, DetectError> {
    roxmltree::Document::parse(text).map_err(|e| manifest(path, format!("not valid XML: {e}")))
}

/// Trimmed text of an element's direct text children (no nested elements, no comments).
fn text(node: roxmltree::Node) -> String {
    node.children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect::<String>()
        .trim()
        .to_string()
}

/// The child elements of `node` named `name` (local name: the Maven namespace is ignored).
fn children<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &'static str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'input>> {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// Maven `<project><properties>`: `name → value`.
pub(crate) fn pom_properties(doc: &roxmltree::Document) -> BTreeMap<String, String> {
    children(doc.root_element(), "properties")
        .flat_map(|p| p.children().filter(|c| c.is_element()))
        .map(|c| (c.tag_name().name().to_string(), text(c)))
        .collect()
}

/// Resolve a `${name}` reference (also nested: `${a}` → `${b}` → `17`) from the properties.
/// An unknown or cyclic reference stays as written, which no version parser accepts.
pub(crate) fn resolve(value: &str, props: &BTreeMap<String, String>) -> String {
    let mut v = value.trim().to_string();
    for _ in 0..8 {
        let Some(name) = v.strip_prefix("${").and_then(|r| r.strip_suffix('}')) else {
            break;
        };
        match props.get(name) {
            Some(next) => v = next.trim().to_string(),
            None => break,
        }
    }
    v
}

/// `maven-compiler-plugin` `<configuration>` `<release>`, `<source>`, `<target>` (build plugins
/// and pluginManagement), in that order, as `(tag, value)`.
pub(crate) fn compiler_plugin(doc: &roxmltree::Document) -> Vec<(&'static str, String)> {
    let plugin = doc.root_element().descendants().find(|n| {
        n.is_element()
            && n.tag_name().name() == "plugin"
            && children(*n, "artifactId").any(|a| text(a) == "maven-compiler-plugin")
    });
    let Some(config) = plugin.and_then(|p| children(p, "configuration").next()) else {
        return Vec::new();
    };
    ["release", "source", "target"]
        .into_iter()
        .filter_map(|tag| children(config, tag).next().map(|n| (tag, text(n))))
        .collect()
}

/// The text of the first element named `name` anywhere in the document, if not empty.
pub(crate) fn first_text(doc: &roxmltree::Document, name: &str) -> Option<String> {
    doc.descendants()
        .find(|n| n.is_element() && n.tag_name().name() == name)
        .map(text)
        .filter(|t| !t.is_empty())
}

/// MSBuild `<TargetFramework>` / `<TargetFrameworks>` values, split at `;`.
pub(crate) fn target_frameworks(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| {
            n.is_element() && matches!(n.tag_name().name(), "TargetFramework" | "TargetFrameworks")
        })
        .flat_map(|n| {
            text(n)
                .split(';')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_not_elements_and_references_resolve() {
        let pom = r#"<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <properties>
    <!-- <java.version>8</java.version> -->
    <jdk>21</jdk>
    <java.version>${jdk}</java.version>
    <loop>${loop}</loop>
  </properties>
</project>"#;
        let doc = parse("pom.xml", pom).unwrap();
        let props = pom_properties(&doc);
        assert_eq!(resolve(&props["java.version"], &props), "21");
        assert_eq!(resolve("${loop}", &props), "${loop}");
        assert_eq!(resolve("${missing}", &props), "${missing}");
        let csproj = "<Project Sdk=\"Microsoft.NET.Sdk.Web\"><!-- <TargetFramework>net9.0</TargetFramework> --><PropertyGroup><TargetFrameworks>net8.0; netstandard2.0</TargetFrameworks></PropertyGroup></Project>";
        let doc = parse("Api.csproj", csproj).unwrap();
        assert_eq!(target_frameworks(&doc), ["net8.0", "netstandard2.0"]);
        assert_eq!(first_text(&doc, "AssemblyName"), None);
        let e = parse("pom.xml", "<project><properties>").unwrap_err();
        assert!(e.to_string().contains("pom.xml"), "{e}");
    }
}
