#!/usr/bin/env python3
"""Checks the CI and cluster templates under integrations/ (docs/integrations.md).

For each template: parse it, check the fields its platform requires, check that every
parameter reference is defined and every setting it passes is a migetpacks setting of
docs/configuration.md, then render it with its example values and run its script against a
built migetpacks (target/debug/migetpacks, or $MIGETPACKS_BIN) with a fake `docker`
(crates/migetpacks-cli/tests/support/fake-docker behind a recording wrapper). The runs prove
that the values arrive as the right buildx flags and that the outputs come from the result
file. No engine needed. Exit status 1 lists every failed check.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INTEGRATIONS = ROOT / "integrations"
BIN = Path(os.environ.get("MIGETPACKS_BIN", ROOT / "target/debug/migetpacks")).resolve()
PROJECT_FAKE = ROOT / "crates/migetpacks-cli/tests/support/fake-docker"
DIGEST = "sha256:0123abcd"  # what the project's fake docker writes to the metadata file

try:
    import yaml
except ImportError:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "pyyaml"], check=True)
    import yaml

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
    return cond


def load(path):
    with open(path, encoding="utf-8") as f:
        return list(yaml.safe_load_all(f))


# --------------------------------------------------------------------------------------------
# docs/configuration.md: the settings every template must map onto


def documented_settings():
    text = (ROOT / "docs/configuration.md").read_text(encoding="utf-8")
    settings, env_only, section = set(), set(), None
    for line in text.splitlines():
        if line.startswith("## "):
            section = line
        m = re.match(r"\| `([A-Z0-9_]+)`", line)
        if m and section == "## All variables and flags":
            settings.add(m.group(1))
        elif m and section == "## Variables that are only read from the environment":
            env_only.update(re.findall(r"`([A-Z0-9_]+)`", line.split("|")[1]))
    check(len(settings) > 50, f"docs/configuration.md: only {len(settings)} settings parsed")
    return settings, env_only


SETTINGS, ENV_ONLY = documented_settings()

# Fields of the result file the templates read.
RESULT_FIELDS = {"status", "exit_code", "error", "images"}
IMAGE_FIELDS = {"name", "digest"}


def check_result_schema():
    if not check(BIN.is_file(), f"{BIN} is not built (cargo build -p migetpacks-cli)"):
        return
    schema = json.loads(subprocess.run([str(BIN), "schema", "result"], check=True,
                                       capture_output=True, text=True).stdout)
    check(RESULT_FIELDS <= set(schema["properties"]), "result schema lacks a field the templates read")
    image = schema.get("$defs", {}).get("ImageResult", {}).get("properties", {})
    check(IMAGE_FIELDS <= set(image), "result schema: images[] lacks name or digest")


# --------------------------------------------------------------------------------------------
# the fake docker


FAKE_DOCKER = r"""#!/bin/sh
# Records every call, answers what the templates ask beyond the project's fake, and hands
# the rest (buildx version/inspect/build/imagetools) to the project's fake docker.
{ printf 'docker'; for a in "$@"; do printf ' %s' "$a"; done; echo; } >>"$HARNESS_DIR/calls.log"
case "$1" in
  login) cat >"$HARNESS_DIR/login-stdin"; exit 0 ;;
  version) exit 0 ;;
  run) exec python3 "$HARNESS_DIR/fake_run.py" "$@" ;;
esac
case "$1 $2 $3 $4" in
  "buildx create "*) exit 0 ;;
  "buildx imagetools inspect --raw")
    echo '{"schemaVersion":2,"config":{"size":100},"layers":[{"size":1000},{"size":2000}]}'; exit 0 ;;
  "buildx build "*)
    case " $* " in *" --load -t migetpacks-action:local "*) exit 0 ;; esac
    env | grep '^ACTIONS_' | sort >"$HARNESS_DIR/buildx-env" ;;
esac
exec "$PROJECT_FAKE" "$@"
"""

# `docker run` of the tool image: the container is this machine, with only the -e variables,
# the -w folder and the tool as entrypoint; every path the tool needs must be mounted at the
# same path (as the action mounts them).
FAKE_RUN = r"""
import json, os, sys
args, i, run = sys.argv[2:], 0, {"env": [], "mounts": [], "argv": sys.argv[1:]}
while args[i].startswith("-"):
    a = args[i]
    if a in ("--rm", "-i", "-t"):
        i += 1
        continue
    key = {"-e": "env", "-v": "mounts"}.get(a)
    if key:
        run[key].append(args[i + 1])
    else:
        run[a] = args[i + 1]
    i += 2
run["image"], run["args"] = args[i], args[i + 1:]
with open(os.path.join(os.environ["HARNESS_DIR"], "run.json"), "w") as f:
    json.dump(run, f)
env = {"PATH": os.environ["PATH"], "HARNESS_DIR": os.environ["HARNESS_DIR"],
       "PROJECT_FAKE": os.environ["PROJECT_FAKE"], "FAKE_DOCKER_LOG": os.environ["FAKE_DOCKER_LOG"],
       "FAKE_DOCKER_FAIL_CONTEXT": os.environ.get("FAKE_DOCKER_FAIL_CONTEXT", "")}
for e in run["env"]:
    name, eq, value = e.partition("=")
    if eq:
        env[name] = value
    elif name in os.environ:
        env[name] = os.environ[name]
mounted = [m.split(":")[1] for m in run["mounts"]]
for var in ("SOURCE_DIR", "RESULT_FILE"):
    path = env.get(var, "")
    if not any(path == m or path.startswith(m.rstrip("/") + "/") for m in mounted):
        print(f"fake docker run: {var}={path} is not mounted", file=sys.stderr)
        sys.exit(125)
os.chdir(run["-w"])
os.execve(os.environ["MIGETPACKS_BIN"], ["migetpacks"] + run["args"], env)
"""


class Harness:
    """A temporary folder with the fake docker and migetpacks on PATH."""

    def __init__(self, name):
        self.dir = Path(tempfile.mkdtemp(prefix=f"check-integrations-{name}-"))
        self.bin = self.dir / "bin"
        self.bin.mkdir()
        (self.bin / "docker").write_text(FAKE_DOCKER)
        (self.bin / "docker").chmod(0o755)
        (self.dir / "fake_run.py").write_text(FAKE_RUN)
        (self.bin / "migetpacks").symlink_to(BIN)
        self.home = self.dir / "home"
        (self.home / ".docker").mkdir(parents=True)
        (self.home / ".docker/config.json").write_text('{"auths":{}}')

    def env(self, **extra):
        env = {
            "PATH": f"{self.bin}:/usr/bin:/bin",
            "HOME": str(self.home),
            "HARNESS_DIR": str(self.dir),
            "PROJECT_FAKE": str(PROJECT_FAKE),
            "FAKE_DOCKER_LOG": str(self.dir / "argv.log"),
            "MIGETPACKS_BIN": str(BIN),
            # Values that must never reach the tool: only the named variables may.
            "SHOULD_NOT_PASS": "leaked-value",
        }
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def source(self, fixture, sub=""):
        dest = self.dir / "src" / sub
        shutil.copytree(ROOT / "fixtures" / fixture, dest)
        return dest

    def run(self, argv, env, cwd=None):
        return subprocess.run(argv, env=env, cwd=cwd or self.dir, capture_output=True, text=True, errors="replace")

    def calls(self):
        p = self.dir / "calls.log"
        return p.read_text().splitlines() if p.exists() else []

    def builds(self):
        """Each buildx build argv that migetpacks ran."""
        p = self.dir / "argv.log"
        text = p.read_text() if p.exists() else ""
        return [r.splitlines() for r in text.split("--end--\n") if r.strip()]

    def cleanup(self):
        if os.environ.get("KEEP_HARNESS") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)


def after(argv, flag):
    return [argv[i + 1] for i in range(len(argv) - 1) if argv[i] == flag]


def report(proc, what):
    check(False, f"{what}: exit {proc.returncode}\n--- stdout\n{proc.stdout[-2000:]}\n--- stderr\n{proc.stderr[-3000:]}")


# --------------------------------------------------------------------------------------------
# GitHub Action

ACTION = INTEGRATIONS / "github-action/action.yml"
ACTION_OWN = {"MIGETPACKS_IMAGE", "MIGETPACKS_CACHE_SCOPE"}
RUNTIME = ["ACTIONS_RUNTIME_TOKEN", "ACTIONS_CACHE_URL", "ACTIONS_RESULTS_URL", "ACTIONS_CACHE_SERVICE_V2"]
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

ACTION_EXAMPLE = {
    "output-image": "ghcr.io/acme/shop:v1",
    "path": "web",
    "cache-scope": "shop",
    "port": "8080",
    "build-network": "default",
    "build-vars": '{"API_URL":"https://api.example.com"}',
    "build-env": "VITE_*",
    "build-secrets": "PIP_TOKEN",
    "tag-latest": "true",
    "image": "ghcr.io/acme/migetpacks:0.1.0",
}


def check_action():
    (doc,) = load(ACTION)
    text = ACTION.read_text(encoding="utf-8")
    for key in ("name", "description"):
        check(isinstance(doc.get(key), str) and doc[key], f"action.yml: `{key}` is required")
    runs = doc.get("runs", {})
    check(runs.get("using") == "composite", "action.yml: runs.using must be composite")
    steps = runs.get("steps") or []
    check(steps, "action.yml: runs.steps is empty")
    for s in steps:
        check(("run" in s) != ("uses" in s), f"action.yml: step {s.get('name')} needs exactly one of run/uses")
        if "run" in s:
            check(s.get("shell"), f"action.yml: run step {s.get('name')} has no shell (required in composite actions)")
            check("${{" not in s["run"], f"action.yml: step {s.get('name')} interpolates ${{{{ }}}} into run: (script injection)")
    inputs = doc.get("inputs", {})
    used = set(re.findall(r"\binputs\.([A-Za-z0-9_-]+)", text))
    for name, spec in inputs.items():
        check(spec.get("description"), f"action.yml: input {name} has no description")
        check(name in used, f"action.yml: input {name} is never used")
        check(not (spec.get("required") and "default" in spec), f"action.yml: required input {name} has a default")
    check(used <= set(inputs), f"action.yml: undefined inputs used: {sorted(used - set(inputs))}")
    build = next((s for s in steps if s.get("id") == "build"), None)
    if not check(build, "action.yml: no step with id build"):
        return
    mapped = {}
    for var, value in build.get("env", {}).items():
        m = EXPR.fullmatch(str(value))
        check(m, f"action.yml: env {var} is not one expression")
        expr = m.group(1) if m else ""
        if expr.startswith("inputs."):
            mapped[expr[len("inputs."):]] = var
            check(var in SETTINGS or var in ACTION_OWN,
                  f"action.yml: input {expr} maps to {var}, not a setting of docs/configuration.md")
        else:
            check(var in RUNTIME and expr == f"steps.runtime.outputs.{var}", f"action.yml: env {var}={value}")
    check(set(mapped) == set(inputs), f"action.yml: inputs not passed to the build step: {sorted(set(inputs) - set(mapped))}")
    for name, spec in doc.get("outputs", {}).items():
        check(re.fullmatch(r"\$\{\{ steps\.build\.outputs\." + re.escape(name) + r" \}\}", str(spec.get("value"))),
              f"action.yml: output {name} is not steps.build.outputs.{name}")
    check(set(doc.get("outputs", {})) >= {"image", "digest", "result-file"}, "action.yml: outputs image, digest, result-file")
    runtime = next((s for s in steps if s.get("id") == "runtime"), {})
    script = runtime.get("with", {}).get("script", "")
    check(all(n in script for n in RUNTIME), "action.yml: the runtime step does not expose every cache variable")

    # run.sh passes exactly the documented settings and environment-only variables.
    run_sh = (INTEGRATIONS / "github-action/run.sh").read_text(encoding="utf-8")
    block = re.search(r"^settings=\((.*?)^\)", run_sh, re.S | re.M)
    listed = set(block.group(1).split()) if block else set()
    check(listed == SETTINGS, f"run.sh settings differ from docs: missing {sorted(SETTINGS - listed)}, extra {sorted(listed - SETTINGS)}")
    block = re.search(r"^env_only=\((.*?)^\)", run_sh, re.S | re.M)
    env_only = {w for w in re.sub(r"#.*", "", block.group(1)).split()} if block else set()
    check(ENV_ONLY <= env_only, f"run.sh does not pass {sorted(ENV_ONLY - env_only)}")

    if BIN.is_file():
        run_action(inputs, build, mapped)


def render_action_env(inputs, build, example, runtime):
    env = {}
    for var, value in build["env"].items():
        expr = EXPR.fullmatch(value).group(1)
        if expr.startswith("inputs."):
            name = expr[len("inputs."):]
            env[var] = example.get(name, str(inputs[name].get("default", "")))
        else:
            env[var] = runtime.get(expr.rsplit(".", 1)[1], "")
    return env


def run_action(inputs, build, mapped):
    runtime = {"ACTIONS_RUNTIME_TOKEN": "fake-runtime-token", "ACTIONS_RESULTS_URL": "https://results.example/"}
    h = Harness("action")
    try:
        workspace = h.dir / "workspace"
        shutil.copytree(ROOT / "fixtures/python-pip", workspace / "web")
        outputs = h.dir / "github-output"

        def action_env(example, **extra):
            env = h.env(GITHUB_ACTION_PATH=INTEGRATIONS / "github-action", GITHUB_WORKSPACE=workspace,
                        RUNNER_TEMP=h.dir / "runner-temp", GITHUB_OUTPUT=outputs,
                        VITE_API_URL="https://api.example.com", PIP_TOKEN="pip-secret-value",
                        NODE_VERSION="20.11.1", DOCKERFILE_SYNTAX="", **extra)
            env.update(render_action_env(inputs, build, example, runtime))
            return env

        proc = h.run(["bash", "-c", build["run"]], action_env(ACTION_EXAMPLE), cwd=workspace)
        if proc.returncode != 0:
            return report(proc, "action: run with the example inputs")
        run = json.loads((h.dir / "run.json").read_text())
        check(run["image"] == ACTION_EXAMPLE["image"], f"action: ran {run['image']}, not the image input")
        check(run["args"] == ["build"], f"action: tool arguments {run['args']}")
        check(all("=" not in e or e.startswith("DOCKER_HOST=") for e in run["env"]),
              f"action: a value travels in docker run's argv: {run['env']}")
        passed = set(run["env"])
        for name in ("OUTPUT_IMAGE", "SOURCE_DIR", "PORT", "BUILD_NETWORK", "BUILD_VARS", "BUILD_ENV",
                     "BUILD_SECRETS", "CACHE_IMAGE", "CACHE_MODE", "TAG_LATEST", "RESULT_FILE",
                     "VITE_API_URL", "PIP_TOKEN", "NODE_VERSION", "ACTIONS_RUNTIME_TOKEN", "ACTIONS_RESULTS_URL"):
            check(name in passed, f"action: {name} is not passed to the container")
        check("SHOULD_NOT_PASS" not in passed and "DHI_PASSWORD" not in passed,
              "action: an unrelated or unset variable is passed to the container")
        check("DOCKERFILE_SYNTAX" in passed, "action: a setting set empty in the step's env is not passed")
        check(f"{workspace / 'web'}:{workspace / 'web'}:ro" in run["mounts"], f"action: source not mounted read-only: {run['mounts']}")
        builds = h.builds()
        if check(len(builds) == 1, f"action: {len(builds)} buildx builds"):
            argv = builds[0]
            check(argv[-1] == str(workspace / "web"), f"action: build context {argv[-1]}")
            check({"ghcr.io/acme/shop:v1", "ghcr.io/acme/shop:latest"} <= set(after(argv, "-t")), "action: tags")
            check(after(argv, "--cache-to") == ["type=gha,scope=shop,mode=max,ignore-error=true"],
                  f"action: cache-to {after(argv, '--cache-to')}")
            check("type=gha,scope=shop" in after(argv, "--cache-from"), "action: cache-from gha")
            check("API_URL" in after(argv, "--build-arg"), "action: build-vars")
            check("id=PIP_TOKEN,env=PIP_TOKEN" in after(argv, "--secret"), "action: build-secrets")
            check(not any(a.startswith("--network") for a in argv), "action: build-network default still passes --network")
            check("pip-secret-value" not in "\n".join(argv), "action: a secret value reached buildx argv")
        benv = (h.dir / "buildx-env").read_text() if (h.dir / "buildx-env").exists() else ""
        check("ACTIONS_RUNTIME_TOKEN=fake-runtime-token" in benv, "action: buildx does not see the runtime token")
        out = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
        result = h.dir / "runner-temp/migetpacks-result.json"
        check(out.get("image") == "ghcr.io/acme/shop:v1", f"action: output image {out.get('image')}")
        check(out.get("digest") == DIGEST, f"action: output digest {out.get('digest')}")
        check(out.get("status") == "success" and out.get("result-file") == str(result), f"action: outputs {out}")
        check(json.loads(result.read_text())["images"][0]["digest"] == DIGEST, "action: result file")

        # A failed build: outputs still written, the step fails.
        outputs.unlink()
        proc = h.run(["bash", "-c", build["run"]], action_env(ACTION_EXAMPLE, FAKE_DOCKER_FAIL_CONTEXT="web"), cwd=workspace)
        out = dict(line.split("=", 1) for line in outputs.read_text().splitlines()) if outputs.exists() else {}
        check(proc.returncode != 0 and out.get("status") == "failed", f"action: failed build gave exit {proc.returncode}, outputs {out}")

        # Without an image input, the tool's image is built from the action's checkout.
        outputs.unlink()
        proc = h.run(["bash", "-c", build["run"]], action_env(dict(ACTION_EXAMPLE, image="")), cwd=workspace)
        tool = [c for c in h.calls() if "migetpacks-action:local" in c and " buildx build " in c]
        check(proc.returncode == 0 and tool and f"-f {ROOT}/integrations/image/Dockerfile {ROOT}" in tool[0],
              f"action: no tool image build from the checkout: {tool}")
        check(json.loads((h.dir / "run.json").read_text())["image"] == "migetpacks-action:local", "action: built image not run")
    finally:
        h.cleanup()


# --------------------------------------------------------------------------------------------
# GitLab CI

GITLAB = INTEGRATIONS / "gitlab/migetpacks.gitlab-ci.yml"
GITLAB_OWN = {"MIGETPACKS_BUILDKIT_HOST", "DOCKER_HOST", "DOCKER_TLS_CERTDIR", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"}
GITLAB_PREDEFINED = {
    "CI_REGISTRY": "registry.gitlab.example.com",
    "CI_REGISTRY_IMAGE": "registry.gitlab.example.com/acme/shop",
    "CI_REGISTRY_USER": "gitlab-ci-token",
    "CI_REGISTRY_PASSWORD": "glcbt-registry-password",
    "CI_COMMIT_SHORT_SHA": "1a2b3c4d",
    "CI_COMMIT_REF_SLUG": "feature-login",
    "CI_DEFAULT_BRANCH": "main",
}


def gitlab_merge(jobs, name):
    """The job after `extends:` (hashes merged deeply, everything else replaced)."""
    job = jobs[name]
    parents = job.get("extends", [])
    merged = {}
    for p in [parents] if isinstance(parents, str) else parents:
        merged = deep_merge(merged, gitlab_merge(jobs, p))
    return deep_merge(merged, {k: v for k, v in job.items() if k != "extends"})


def deep_merge(a, b):
    out = dict(a)
    for k, v in b.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def expand(value, env):
    for _ in range(5):
        value = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda m: env.get(m.group(1), ""), value)
    return value


def check_gitlab():
    (jobs,) = load(GITLAB)
    for name in (".migetpacks", ".migetpacks-dind"):
        if not check(name in jobs, f"gitlab: no hidden job {name}"):
            return
    base = jobs[".migetpacks"]
    check(base.get("image", {}).get("name") == "$MIGETPACKS_IMAGE", "gitlab: image.name must be $MIGETPACKS_IMAGE")
    check(base.get("image", {}).get("entrypoint") == [""], "gitlab: the tool image's entrypoint must be reset")
    script = base.get("script") or []
    check(script and all(isinstance(s, str) for s in script), "gitlab: script must be a list of strings")
    login = [s for s in script if "docker login" in s]
    check(login and "--password-stdin" in login[0] and "-p " not in login[0] and "--password " not in login[0],
          "gitlab: docker login must use --password-stdin")
    for var in base.get("variables", {}):
        check(var in SETTINGS or var in GITLAB_OWN, f"gitlab: variable {var} is not a migetpacks setting")
    v = base.get("variables", {})
    check("$CI_REGISTRY_IMAGE" in v.get("OUTPUT_IMAGE", "") and "$CI_COMMIT_REF_SLUG" in v.get("CACHE_IMAGE", "")
          and "$CI_DEFAULT_BRANCH" in v.get("CACHE_FROM", ""), "gitlab: OUTPUT_IMAGE/CACHE_IMAGE/CACHE_FROM")
    check("dotenv" in base.get("artifacts", {}).get("reports", {}), "gitlab: no dotenv report")
    dind = jobs[".migetpacks-dind"]
    check(dind.get("extends") == ".migetpacks" and dind.get("services"), "gitlab: .migetpacks-dind extends .migetpacks with a service")
    if BIN.is_file():
        run_gitlab(jobs, ".migetpacks", [])
        run_gitlab(jobs, ".migetpacks-dind", ["create", "--name", "migetpacks", "--driver", "docker-container"])


def run_gitlab(jobs, template, create):
    jobs = dict(jobs, build={"extends": template, "variables": {"MIGETPACKS_IMAGE": "registry.example.com/tools/migetpacks:0.1.0"}})
    job = gitlab_merge(jobs, "build")
    h = Harness("gitlab")
    try:
        project = h.source("node-npm")
        env = dict(GITLAB_PREDEFINED, CI_PROJECT_DIR=str(project))
        for k, v in job.get("variables", {}).items():
            env[k] = expand(str(v), env)
        check(expand(job["image"]["name"], env) == "registry.example.com/tools/migetpacks:0.1.0", "gitlab: image not rendered")
        lines = job.get("before_script", []) + job["script"]
        proc = h.run(["bash", "-e", "-o", "pipefail", "-c", "\n".join(lines)], h.env(**env), cwd=project)
        if proc.returncode != 0:
            return report(proc, f"gitlab {template}: script")
        calls = h.calls()
        check(any(c.startswith("docker login registry.gitlab.example.com --username gitlab-ci-token --password-stdin") for c in calls),
              f"gitlab {template}: docker login")
        check((h.dir / "login-stdin").read_text() == "glcbt-registry-password", f"gitlab {template}: password not on stdin")
        check(not any("glcbt-registry-password" in c for c in calls), f"gitlab {template}: password in an argv")
        if create:
            check(any(c.startswith("docker buildx " + " ".join(create)) for c in calls), f"gitlab {template}: no builder created")
        (argv,) = h.builds() or [[]]
        reg = "registry.gitlab.example.com/acme/shop"
        check(after(argv, "-t")[:1] == [f"{reg}:1a2b3c4d"], f"gitlab {template}: tag {after(argv, '-t')}")
        check(after(argv, "--cache-to") == [f"type=registry,ref={reg}/cache:feature-login,mode=max,ignore-error=true"],
              f"gitlab {template}: cache-to {after(argv, '--cache-to')}")
        check(f"type=registry,ref={reg}/cache:main" in after(argv, "--cache-from"), f"gitlab {template}: cache-from main")
        if template == ".migetpacks-dind":
            check(after(argv, "--builder") == ["migetpacks"] and not any(a.startswith("--network") for a in argv),
                  f"gitlab {template}: builder/network")
        dotenv = dict(l.split("=", 1) for l in (project / "migetpacks.env").read_text().splitlines())
        check(dotenv == {"MIGETPACKS_STATUS": "success", "MIGETPACKS_IMAGE_URL": f"{reg}:1a2b3c4d",
                         "MIGETPACKS_IMAGE_DIGEST": DIGEST}, f"gitlab {template}: dotenv {dotenv}")
        for path in job["artifacts"]["paths"]:
            check((project / path).is_file(), f"gitlab {template}: artifact {path} missing")
    finally:
        h.cleanup()


# --------------------------------------------------------------------------------------------
# Tekton and Shipwright

PARAM_REF = re.compile(r"\$\(params\.([A-Za-z0-9_.-]+?)(\[\*\])?\)")
RESULT_REF = re.compile(r"\$\(results\.([A-Za-z0-9_-]+)\.path\)")


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)


def substitute(node, values):
    """Replace $(params.x), $(results.x.path), $(workspaces.…) like the controller does; an
    array reference that is a whole list item expands into several items."""
    if isinstance(node, str):
        return re.sub(r"\$\(([^()]+?)\)", lambda m: values.get(m.group(1), m.group(0)), node)
    if isinstance(node, dict):
        return {k: substitute(v, values) for k, v in node.items()}
    if isinstance(node, list):
        out = []
        for v in node:
            m = isinstance(v, str) and re.fullmatch(r"\$\(params\.([A-Za-z0-9_-]+)\[\*\]\)", v)
            out.extend(values[f"params.{m.group(1)}[*]"] if m else [substitute(v, values)])
        return out
    return node


TEKTON = INTEGRATIONS / "tekton/migetpacks-task.yaml"
TEKTON_OWN = {"PARAM_CONTEXT", "PARAM_BUILDKIT_HOST", "DOCKERCONFIG_BOUND", "DOCKERCONFIG_PATH",
              "DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"}


def check_tekton():
    (task,) = load(TEKTON)
    (run,) = load(INTEGRATIONS / "tekton/taskrun-example.yaml")
    check(task.get("apiVersion") == "tekton.dev/v1" and task.get("kind") == "Task", "tekton: apiVersion/kind")
    check(task.get("metadata", {}).get("name") == "migetpacks", "tekton: metadata.name")
    spec = task.get("spec", {})
    params = {p["name"]: p for p in spec.get("params", [])}
    for p in params.values():
        check(p.get("type") in ("string", "array") and p.get("description"), f"tekton: param {p['name']} type/description")
    check({r["name"] for r in spec.get("results", [])} >= {"IMAGE_DIGEST", "IMAGE_URL"}, "tekton: results IMAGE_DIGEST/IMAGE_URL")
    workspaces = {w["name"] for w in spec.get("workspaces", [])}
    check("source" in workspaces, "tekton: workspace source")
    steps = spec.get("steps") or []
    check(steps and all(s.get("name") and s.get("image") for s in steps), "tekton: steps need name and image")
    for s in strings(spec):
        for name, star in PARAM_REF.findall(s):
            check(name in params, f"tekton: $(params.{name}) is not a param")
            check(bool(star) == (params.get(name, {}).get("type") == "array"), f"tekton: $(params.{name}) array use")
        for name in RESULT_REF.findall(s):
            check(name in {r["name"] for r in spec.get("results", [])}, f"tekton: $(results.{name}) undeclared")
        for name in re.findall(r"\$\(workspaces\.([A-Za-z0-9_-]+)\.", s):
            check(name in workspaces, f"tekton: workspace {name} undeclared")
    mounts = {v["name"] for v in spec.get("volumes", [])}
    for c in steps + spec.get("sidecars", []):
        for m in c.get("volumeMounts", []):
            check(m["name"] in mounts, f"tekton: volume {m['name']} undeclared")
    for s in steps:
        check("$(params." not in s.get("script", ""), f"tekton: step {s['name']} puts a param into its script (injection)")
        for e in s.get("env", []):
            check(e["name"] in SETTINGS or e["name"] in TEKTON_OWN, f"tekton: env {e['name']} is not a migetpacks setting")
    check(run.get("apiVersion") == "tekton.dev/v1" and run.get("kind") == "TaskRun"
          and run["spec"]["taskRef"]["name"] == "migetpacks", "tekton: TaskRun example")
    given = {p["name"] for p in run["spec"]["params"]}
    check(given <= set(params), f"tekton: TaskRun sets unknown params {sorted(given - set(params))}")
    check({n for n, p in params.items() if "default" not in p} <= given, "tekton: TaskRun misses a required param")
    check({w["name"] for w in run["spec"]["workspaces"]} <= workspaces, "tekton: TaskRun workspaces")
    if BIN.is_file():
        run_tekton(spec, params, run, buildkit_host="")
        run_tekton(spec, params, run, buildkit_host="tcp://buildkitd:1234")


def run_tekton(spec, params, taskrun, buildkit_host):
    h = Harness("tekton")
    try:
        source = h.source("python-pip")
        creds = h.dir / "dockerconfig"
        creds.mkdir()
        (creds / ".dockerconfigjson").write_text('{"auths":{"registry.example.com":{"auth":"eDp5"}}}')
        values = {f"params.{n}": p.get("default") for n, p in params.items()}
        for p in taskrun["spec"]["params"]:
            values[f"params.{p['name']}"] = p["value"]
        values["params.BUILDKIT_HOST"] = buildkit_host
        values["params.ENV_VARS[*]"] = values.pop("params.ENV_VARS")
        values.update({"workspaces.source.path": str(source), "workspaces.dockerconfig.bound": "true",
                       "workspaces.dockerconfig.path": str(creds)})
        for r in spec["results"]:
            values[f"results.{r['name']}.path"] = str(h.dir / f"result-{r['name']}")
        (step,) = substitute(spec["steps"], values)
        check(step["image"] == "registry.example.com/tools/migetpacks:0.1.0", "tekton: step image not rendered")
        script = h.dir / "step.sh"
        script.write_text(step["script"])
        env = {e["name"]: e["value"] for e in step["env"]}
        proc = h.run(["bash", str(script)] + step["args"], h.env(**env), cwd=step["workingDir"])
        if proc.returncode != 0:
            return report(proc, "tekton: step script")
        digest = (h.dir / "result-IMAGE_DIGEST").read_text()
        url = (h.dir / "result-IMAGE_URL").read_text()
        check(digest == DIGEST and url == "registry.example.com/acme/shop:v1", f"tekton: results {digest!r} {url!r}")
        check(json.loads((h.home / ".docker/config.json").read_text())["auths"], "tekton: dockerconfig workspace not used")
        driver = f"--driver remote {buildkit_host}" if buildkit_host else "--driver docker-container"
        check(any(c.startswith(f"docker buildx create --name migetpacks {driver}") for c in h.calls()),
              f"tekton: builder ({driver}) not created: {h.calls()}")
        (argv,) = h.builds() or [[]]
        check(after(argv, "--builder") == ["migetpacks"], "tekton: builder not used")
        check("registry.example.com/acme/shop:latest" in after(argv, "-t"), "tekton: ENV_VARS TAG_LATEST=true not applied")
        check(after(argv, "--cache-to")[:1] == ["type=registry,ref=registry.example.com/acme/shop:buildcache,mode=max,ignore-error=true"],
              f"tekton: cache-to {after(argv, '--cache-to')}")
        check(not any(a.startswith("--network") for a in argv), "tekton: --network passed to a container/remote builder")
    finally:
        h.cleanup()


SHIPWRIGHT = INTEGRATIONS / "shipwright/migetpacks-strategy.yaml"
SHP_PARAMS = {"shp-source-root", "shp-source-context", "shp-output-image", "shp-output-insecure", "shp-output-directory"}
SHP_RESULTS = {"shp-image-digest", "shp-image-size", "shp-error-reason", "shp-error-message"}
SHIPWRIGHT_OWN = {"HOME", "DOCKER_CONFIG", "PARAM_CACHE", "PARAM_BUILDKIT_HOST"}


def check_shipwright():
    (strategy,) = load(SHIPWRIGHT)
    build, buildrun = load(INTEGRATIONS / "shipwright/build-example.yaml")
    check(strategy.get("apiVersion") == "shipwright.io/v1beta1" and strategy.get("kind") == "ClusterBuildStrategy",
          "shipwright: apiVersion/kind")
    spec = strategy.get("spec", {})
    params = {p["name"]: p for p in spec.get("parameters", [])}
    for p in params.values():
        check(p.get("description") and p.get("type") in ("string", "array"), f"shipwright: parameter {p['name']}")
        check(not p["name"].startswith("shp-") and p["name"] not in ("BUILDER_IMAGE", "CONTEXT_DIR"),
              f"shipwright: parameter {p['name']} uses a reserved name")
        check(p.get("type") != "array" or "default" not in p, f"shipwright: array parameter {p['name']} uses default")
    steps = spec.get("steps") or []
    check(steps and all(s.get("name") and s.get("image") for s in steps), "shipwright: steps need name and image")
    for s in strings(spec):
        for name, star in PARAM_REF.findall(s):
            check(name in params or name in SHP_PARAMS, f"shipwright: $(params.{name}) is neither a parameter nor a system parameter")
            check(bool(star) == (params.get(name, {}).get("type") == "array"), f"shipwright: $(params.{name}) array use")
        for name in RESULT_REF.findall(s):
            check(name in SHP_RESULTS, f"shipwright: $(results.{name}) is not a system result")
    text = SHIPWRIGHT.read_text(encoding="utf-8")
    for name in ("shp-source-root", "shp-source-context", "shp-output-image"):
        check(f"$(params.{name})" in text, f"shipwright: does not use {name}")
    check("$(results.shp-image-digest.path)" in text and "$(results.shp-image-size.path)" in text, "shipwright: digest/size results")
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for s in steps:
        for m in s.get("volumeMounts", []):
            check(m["name"] in volumes, f"shipwright: volume {m['name']} undeclared")
        for e in s.get("env", []):
            check(e["name"] in SETTINGS or e["name"] in SHIPWRIGHT_OWN, f"shipwright: env {e['name']} is not a migetpacks setting")
    # The Build example references the strategy and only its parameters.
    check(build.get("apiVersion") == "shipwright.io/v1beta1" and build.get("kind") == "Build", "shipwright: Build apiVersion/kind")
    bspec = build.get("spec", {})
    check(bspec.get("strategy") == {"name": "migetpacks", "kind": "ClusterBuildStrategy"}, "shipwright: Build strategy ref")
    check(bspec.get("output", {}).get("image") and bspec.get("source", {}).get("type") == "Git", "shipwright: Build output/source")
    given = {}
    for pv in bspec.get("paramValues", []):
        p = params.get(pv["name"])
        if check(p, f"shipwright: Build sets unknown parameter {pv['name']}"):
            check(("values" in pv) == (p["type"] == "array"), f"shipwright: Build parameter {pv['name']} value/values")
            given[pv["name"]] = [v["value"] for v in pv["values"]] if "values" in pv else pv["value"]
    check({n for n, p in params.items() if "default" not in p and "defaults" not in p} <= set(given),
          "shipwright: Build misses a required parameter")
    for v in bspec.get("volumes", []):
        check(volumes.get(v["name"], {}).get("overridable"), f"shipwright: Build overrides non-overridable volume {v['name']}")
    check(buildrun.get("kind") == "BuildRun" and buildrun["spec"]["build"]["name"] == build["metadata"]["name"],
          "shipwright: BuildRun example")
    if BIN.is_file():
        run_shipwright(spec, params, bspec, given)


def run_shipwright(spec, params, bspec, given):
    h = Harness("shipwright")
    try:
        root = h.dir / "src"
        context = h.source("node-npm", bspec["source"]["contextDir"])
        values = {f"params.{n}": p.get("default") for n, p in params.items() if p["type"] == "string"}
        values.update({f"params.{n}[*]": p.get("defaults", []) for n, p in params.items() if p["type"] == "array"})
        for n, v in given.items():
            values[f"params.{n}[*]" if isinstance(v, list) else f"params.{n}"] = v
        values.update({"params.shp-source-root": str(root), "params.shp-source-context": str(context),
                       "params.shp-output-image": bspec["output"]["image"]})
        for r in SHP_RESULTS:
            values[f"results.{r}.path"] = str(h.dir / f"result-{r}")
        (step,) = substitute(spec["steps"], values)
        env = {e["name"]: e["value"] for e in step["env"]}
        env["HOME"] = env["DOCKER_CONFIG"] = str(h.home)  # /tekton/home in a pod
        proc = h.run(step["command"] + step["args"], h.env(**env), cwd=step["workingDir"])
        if proc.returncode != 0:
            return report(proc, "shipwright: step")
        read = lambda r: (h.dir / f"result-{r}").read_text() if (h.dir / f"result-{r}").exists() else None
        check(read("shp-image-digest") == DIGEST, f"shipwright: shp-image-digest {read('shp-image-digest')!r}")
        check(read("shp-image-size") == "3100", f"shipwright: shp-image-size {read('shp-image-size')!r}")
        check(any(c.startswith("docker buildx create --name migetpacks --driver remote tcp://buildkitd.buildkit.svc:1234")
                  for c in h.calls()), "shipwright: remote builder not created")
        (argv,) = h.builds() or [[]]
        check(argv and argv[-1] == str(context), "shipwright: context is not shp-source-context")
        check(after(argv, "-t")[:1] == ["registry.example.com/acme/shop:latest"] and "--push" in argv, "shipwright: push of shp-output-image")
        check(after(argv, "--cache-to") == ["type=registry,ref=registry.example.com/acme/shop:buildcache,mode=max,ignore-error=true"],
              f"shipwright: cache-to {after(argv, '--cache-to')}")
        check(after(argv, "--builder") == ["migetpacks"] and not any(a.startswith("--network") for a in argv),
              "shipwright: builder/network")
        # A malformed env-vars entry is a reported parameter error.
        bad = substitute(spec["steps"], dict(values, **{"params.env-vars[*]": ["not a setting"]}))[0]
        proc = h.run(bad["command"] + bad["args"], h.env(**env), cwd=bad["workingDir"])
        check(proc.returncode == 2 and read("shp-error-reason") == "InvalidParameterValue", "shipwright: bad env-vars not reported")
    finally:
        h.cleanup()


# --------------------------------------------------------------------------------------------


def check_dockerfiles():
    hadolint = os.environ.get("HADOLINT") or shutil.which("hadolint")
    files = [INTEGRATIONS / "image/Dockerfile", ROOT / "scripts/engine-images/docker.Dockerfile"]
    if not check(hadolint, "hadolint not found (set HADOLINT)"):
        return
    proc = subprocess.run([hadolint, "--config", str(ROOT / ".hadolint.yaml")] + [str(f) for f in files],
                          capture_output=True, text=True)
    check(proc.returncode == 0, f"hadolint:\n{proc.stdout}{proc.stderr}")
    text = files[0].read_text()
    check("COPY --from=docker-cli /usr/local/bin/docker /usr/local/bin/docker" in text
          and "/usr/local/libexec/docker/cli-plugins/docker-buildx" in text, "image: docker CLI and buildx at the official paths")
    check("--locked" in text and "--release" in text and "type=cache" in text, "image: cargo build --release --locked with cache mounts")


def check_shell():
    """shellcheck on every shell script the templates carry, when shellcheck is installed."""
    shellcheck = shutil.which("shellcheck")
    if not shellcheck:
        print("note: shellcheck not installed; template scripts not linted", file=sys.stderr)
        return
    (jobs,) = load(GITLAB)
    (task,) = load(TEKTON)
    (strategy,) = load(SHIPWRIGHT)
    scripts = {
        "gitlab .migetpacks-dind": "\n".join(gitlab_merge(jobs, ".migetpacks-dind").get("before_script", [])
                                              + gitlab_merge(jobs, ".migetpacks-dind")["script"]),
        "tekton step": task["spec"]["steps"][0]["script"],
        "shipwright step": strategy["spec"]["steps"][0]["args"][1],
    }
    files = [str(INTEGRATIONS / "github-action/run.sh")]
    tmp = Path(tempfile.mkdtemp(prefix="check-integrations-sh-"))
    try:
        for name, text in scripts.items():
            f = tmp / (name.replace(" ", "_") + ".sh")
            # $(params.…)/$(results.…) are the controller's, not command substitutions.
            f.write_text("#!/usr/bin/env bash\n" + re.sub(r"\$\((params|results|workspaces)\.[^)]*\)", "/x", text))
            files.append(str(f))
        proc = subprocess.run([shellcheck, "-s", "bash"] + files, capture_output=True, text=True)
        check(proc.returncode == 0, f"shellcheck:\n{proc.stdout}{proc.stderr}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    check(shutil.which("jq"), "jq is not installed (the templates' scripts read the result file with it)")
    check_result_schema()
    for name, fn in [("GitHub Action", check_action), ("GitLab CI", check_gitlab), ("Tekton Task", check_tekton),
                     ("Shipwright strategy", check_shipwright), ("Dockerfiles", check_dockerfiles),
                     ("template scripts (shellcheck)", check_shell)]:
        before = len(FAILURES)
        try:
            fn()
        except Exception as e:  # a template that does not even have the expected shape
            check(False, f"{name}: {type(e).__name__}: {e}")
        print(f"{'ok  ' if len(FAILURES) == before else 'FAIL'} {name}")
    if not BIN.is_file():
        print(f"note: {BIN} missing; the templates were not run", file=sys.stderr)
    for f in FAILURES:
        print(f"  - {f}", file=sys.stderr)
    sys.exit(1 if FAILURES else 0)


if __name__ == "__main__":
    main()
