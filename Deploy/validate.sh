#!/usr/bin/env bash
# Checks the deployment files without Docker, a cluster or a built binary: every YAML parses, the
# structure the agent and its operators rely on is there, the generated ConfigMap matches Config/ and
# Playbooks/ byte for byte, and the systemd unit verifies. Linters run when they are on PATH (each one
# missing is reported as skipped): kubeconform (else kubernetes-validate), hadolint, docker compose
# (or docker-compose), kubectl (for kustomize), shellcheck. Exit 1 on any failure.
#
#   Deploy/validate.sh          # from any directory
set -euo pipefail

deploy=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$deploy/.." && pwd)
k8s="$deploy/kubernetes"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0 failed=0 skipped=0
pass() { echo "ok    $*"; passed=$((passed + 1)); }
fail() { echo "FAIL  $*"; failed=$((failed + 1)); }
skip() { echo "skip  $*"; skipped=$((skipped + 1)); }
# Runs a command quietly; on failure shows its output under the check's name.
check() {
    local name=$1
    shift
    if "$@" > "$work/out" 2>&1; then pass "$name"; else fail "$name"; sed 's/^/      /' "$work/out"; fi
}

# The Kubernetes resources kustomize applies, plus the example Secret (it must be valid too).
k8s_docs=("$k8s/configmap.yaml" "$k8s/deployment.yaml" "$k8s/service.yaml" "$k8s/pdb.yaml" "$k8s/secret.example.yaml")

# --- YAML and structure ----------------------------------------------------------------------------
if ! command -v python3 > /dev/null; then
    skip "YAML structure: python3 is not installed"
elif ! python3 -c 'import yaml' 2> /dev/null; then
    skip "YAML structure: PyYAML is not installed (apt-get install python3-yaml, or pip install pyyaml)"
else
    # The Python part prints one `ok`/`FAIL` line per check; they are counted here.
    if ! python3 - "$root" > "$work/py" 2>&1 <<'PY'; then
import pathlib, re, sys
import yaml

root = pathlib.Path(sys.argv[1])
deploy = root / "Deploy"
k8s = deploy / "kubernetes"

def ok(message): print(f"ok    {message}")
def fail(message): print(f"FAIL  {message}")
def expect(condition, message, detail=""):
    if condition: ok(message)
    else: fail(message + (f": {detail}" if detail else ""))

def rel(path): return str(path.relative_to(root))

# Every YAML file under Deploy/ parses; keep the documents for the checks below.
documents = {}
for path in sorted(list(deploy.rglob("*.yaml")) + list(deploy.rglob("*.yml"))):
    try:
        documents[path] = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
        ok(f"{rel(path)} parses ({len(documents[path])} document(s))")
    except Exception as error:  # noqa: BLE001 - any parse error is the finding
        fail(f"{rel(path)} does not parse: {error}")

def single(path):
    docs = documents.get(path) or [{}]
    return docs[0] if isinstance(docs[0], dict) else {}

config = yaml.safe_load((root / "Config/copilot.yaml").read_text(encoding="utf-8"))
# Every env:NAME the shipped configuration reads; each must be provided wherever it is deployed.
def references(node):
    if isinstance(node, dict):
        for value in node.values(): yield from references(value)
    elif isinstance(node, list):
        for value in node: yield from references(value)
    elif isinstance(node, str) and node.startswith("env:"):
        yield node[4:]
config_env = set(references(config))
grace = int(config.get("server", {}).get("shutdown_grace_seconds", 10))

# --- compose.yaml
compose = single(deploy / "compose.yaml")
services = compose.get("services") or {}
for name in ("agent-1", "agent-2", "postgres", "otel-collector"):
    expect(name in services, f"compose: service {name} exists")
for name, port in (("agent-1", "8081"), ("agent-2", "8082")):
    agent = services.get(name) or {}
    build = agent.get("build") or {}
    expect(build.get("context") == ".." and build.get("dockerfile") == "Deploy/Dockerfile",
           f"compose: {name} builds Deploy/Dockerfile from the repository root", str(build))
    environment = agent.get("environment") or {}
    expect(str(environment.get("COPILOT_STORAGE_URL", "")).startswith("postgres://"),
           f"compose: {name} uses the PostgreSQL store")
    expect(environment.get("COPILOT_STORAGE_PASSWORD") == "env:POSTGRES_PASSWORD",
           f"compose: {name} reads storage.password from POSTGRES_PASSWORD")
    expect("${POSTGRES_PASSWORD:?" in str(environment.get("POSTGRES_PASSWORD", "")),
           f"compose: {name} refuses to start without POSTGRES_PASSWORD")
    expect(environment.get("OTEL_EXPORTER_OTLP_ENDPOINT") == "http://otel-collector:4318",
           f"compose: {name} exports traces to the collector")
    expect(agent.get("env_file") in ("./env", ["./env"]), f"compose: {name} reads its secrets from ./env")
    condition = ((agent.get("depends_on") or {}).get("postgres") or {}).get("condition")
    expect(condition == "service_healthy", f"compose: {name} waits for a healthy postgres", str(condition))
    expect(any(str(p).endswith(f"{port}:8080") for p in agent.get("ports") or []),
           f"compose: {name} is published on host port {port}")
postgres = services.get("postgres") or {}
expect(str(postgres.get("image", "")).startswith("postgres:16"), "compose: postgres is PostgreSQL 16")
expect("pg_isready" in str((postgres.get("healthcheck") or {}).get("test")), "compose: postgres has a pg_isready healthcheck")
volume_names = [str(v).split(":")[0] for v in postgres.get("volumes") or []]
expect(any(v in (compose.get("volumes") or {}) for v in volume_names), "compose: postgres data is on a named volume")
collector = services.get("otel-collector") or {}
expect(any(str(v).startswith("./otel-collector.yaml:") for v in collector.get("volumes") or []),
       "compose: the collector mounts Deploy/otel-collector.yaml")
# What env.example documents is what the configuration reads (the compose agents get ./env made from it).
example_names = set(re.findall(r"^([A-Z_][A-Z0-9_]*)=", (deploy / "env.example").read_text(), re.M))
expect(config_env <= example_names, "env.example names every env: reference of Config/copilot.yaml",
       f"missing {sorted(config_env - example_names)}")

# --- otel-collector.yaml: each pipeline names only defined components
otel = single(deploy / "otel-collector.yaml")
endpoint = (((otel.get("receivers") or {}).get("otlp") or {}).get("protocols") or {}).get("http", {}) or {}
expect(str(endpoint.get("endpoint", "")).endswith(":4318") and not str(endpoint.get("endpoint")).startswith(("localhost", "127.")),
       "collector: OTLP/HTTP listens on 4318 on all interfaces", str(endpoint))
pipelines = (otel.get("service") or {}).get("pipelines") or {}
expect("traces" in pipelines, "collector: has a traces pipeline")
for pipeline_name, pipeline in pipelines.items():
    for kind in ("receivers", "processors", "exporters"):
        missing = [c for c in pipeline.get(kind) or [] if c not in (otel.get(kind) or {})]
        expect(not missing, f"collector: pipeline {pipeline_name} defines its {kind}", f"undefined {missing}")
traces = pipelines.get("traces") or {}
expect("batch" in (traces.get("processors") or []) and "debug" in (traces.get("exporters") or []),
       "collector: traces go through batch to debug")

# --- Kubernetes manifests
kustomization = single(k8s / "kustomization.yaml")
resources = kustomization.get("resources") or []
expect(sorted(resources) == sorted(["configmap.yaml", "deployment.yaml", "service.yaml", "pdb.yaml"]),
       "kubernetes: kustomization lists configmap, deployment, service and pdb (not the example Secret)", str(resources))
objects = []
for path in sorted(k8s.glob("*.yaml")):
    if path.name == "kustomization.yaml":
        continue
    for doc in documents.get(path, []):
        has = isinstance(doc, dict) and doc.get("apiVersion") and doc.get("kind") and (doc.get("metadata") or {}).get("name")
        expect(bool(has), f"kubernetes: {path.name}: {doc.get('kind') if isinstance(doc, dict) else '?'} has apiVersion, kind and metadata.name")
        if has:
            objects.append((path.name, doc))
def find(kind, file=None):
    return [d for f, d in objects if d["kind"] == kind and (file is None or f == file)]

deployments = find("Deployment")
expect(len(deployments) == 1, "kubernetes: one Deployment")
deployment = deployments[0] if deployments else {}
spec = deployment.get("spec") or {}
pod = ((spec.get("template") or {}).get("spec")) or {}
pod_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
containers = pod.get("containers") or [{}]
container = containers[0]
expect(spec.get("replicas") == 2, "deployment: 2 replicas")
ports = {p.get("name"): p.get("containerPort") for p in container.get("ports") or []}
expect(ports.get("http") == 8080, "deployment: container port http is 8080")
def probe(name):
    get = (container.get(name) or {}).get("httpGet") or {}
    return get.get("path"), get.get("port")
expect(probe("readinessProbe") == ("/readyz", "http"), "deployment: readinessProbe is GET /readyz on 8080", str(probe("readinessProbe")))
expect(probe("livenessProbe") == ("/healthz", "http"), "deployment: livenessProbe is GET /healthz on 8080", str(probe("livenessProbe")))
expect(probe("startupProbe")[0] in ("/healthz", "/readyz"), "deployment: has a startupProbe")
pod_security = pod.get("securityContext") or {}
container_security = container.get("securityContext") or {}
expect(pod_security.get("runAsNonRoot") is True and pod_security.get("runAsUser") == 10001,
       "deployment: runs as non-root uid 10001")
expect(container_security.get("readOnlyRootFilesystem") is True, "deployment: read-only root filesystem")
expect(container_security.get("allowPrivilegeEscalation") is False, "deployment: no privilege escalation")
expect((container_security.get("capabilities") or {}).get("drop") == ["ALL"], "deployment: drops all capabilities")
mounts = {m.get("mountPath"): m.get("name") for m in container.get("volumeMounts") or []}
volumes = {v.get("name"): v for v in pod.get("volumes") or []}
for path in ("/var/lib/copilot-agent", "/tmp"):
    expect("emptyDir" in (volumes.get(mounts.get(path)) or {}), f"deployment: {path} is a writable emptyDir")
expect(not [m for m in mounts.values() if m not in volumes], "deployment: every volumeMount has its volume")
configmaps = {d["metadata"]["name"]: d for d in find("ConfigMap")}
for name, volume in volumes.items():
    if "configMap" in volume:
        expect(volume["configMap"].get("name") in configmaps, f"deployment: volume {name} names a ConfigMap of configmap.yaml")
pre_stop = (((container.get("lifecycle") or {}).get("preStop") or {}).get("exec") or {}).get("command") or []
pre_stop_seconds = int(pre_stop[-1]) if pre_stop[:1] == ["sleep"] else 0
termination = pod.get("terminationGracePeriodSeconds", 30)
expect(termination > pre_stop_seconds + grace,
       f"deployment: terminationGracePeriodSeconds ({termination}) exceeds preStop ({pre_stop_seconds}) + shutdown grace ({grace})")
expect("cpu" in ((container.get("resources") or {}).get("requests") or {}) and "memory" in ((container.get("resources") or {}).get("limits") or {}),
       "deployment: has resource requests and a memory limit")
env = {e.get("name"): e for e in container.get("env") or []}
expect((env.get("COPILOT_SERVER_HOST") or {}).get("value") == "0.0.0.0", "deployment: listens on 0.0.0.0")
expect((env.get("COPILOT_STORAGE_PASSWORD") or {}).get("value") == "env:POSTGRES_PASSWORD",
       "deployment: storage.password reads POSTGRES_PASSWORD")
secret_refs = {e["name"]: ((e.get("valueFrom") or {}).get("secretKeyRef") or {}) for e in env.values() if "valueFrom" in e}
expect({r.get("name") for r in secret_refs.values()} == {"copilot-agent"}, "deployment: every secretKeyRef names the Secret copilot-agent")
needed = config_env | {"POSTGRES_PASSWORD"}
expect(needed <= set(secret_refs), "deployment: every env: reference of Config/copilot.yaml comes from the Secret",
       f"missing {sorted(needed - set(secret_refs))}")
secrets = find("Secret", "secret.example.yaml")
example_keys = set(((secrets[0].get("stringData") or {}) if secrets else {}).keys())
used_keys = {r.get("key") for r in secret_refs.values()}
expect(used_keys == example_keys, "kubernetes: secret.example.yaml has exactly the keys the Deployment reads",
       f"Deployment {sorted(used_keys)}, example {sorted(example_keys)}")

services = find("Service")
service = services[0] if services else {}
expect(service.get("spec", {}).get("type", "ClusterIP") == "ClusterIP", "service: ClusterIP")
service_ports = (service.get("spec") or {}).get("ports") or [{}]
expect(service_ports[0].get("port") == 80 and service_ports[0].get("targetPort") in ("http", 8080), "service: port 80 to the container's 8080")
selector = (service.get("spec") or {}).get("selector") or {}
expect(bool(selector) and selector.items() <= pod_labels.items(), "service: selector matches the pods")
pdbs = find("PodDisruptionBudget")
pdb = pdbs[0] if pdbs else {}
expect((pdb.get("spec") or {}).get("minAvailable") == 1, "pdb: minAvailable 1")
pdb_selector = ((pdb.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
expect(bool(pdb_selector) and pdb_selector.items() <= pod_labels.items(), "pdb: selector matches the pods")

# --- The ConfigMaps hold the repository's files, byte for byte
def data_of(name):
    return (configmaps.get(name) or {}).get("data") or {}
expect(data_of("copilot-agent-config").get("copilot.yaml", "").encode("utf-8") == (root / "Config/copilot.yaml").read_bytes(),
       "configmap: copilot.yaml equals Config/copilot.yaml byte for byte")
playbooks = {p.name: p for p in (root / "Playbooks").iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith(".")}
data = data_of("copilot-agent-playbooks")
expect(set(data) == set(playbooks), "configmap: holds exactly the files of Playbooks/",
       f"only in Playbooks/ {sorted(set(playbooks) - set(data))}, only in the ConfigMap {sorted(set(data) - set(playbooks))}")
for name in sorted(set(data) & set(playbooks)):
    expect(data[name].encode("utf-8") == playbooks[name].read_bytes(), f"configmap: {name} equals Playbooks/{name} byte for byte")

# --- Dockerfile facts the manifests depend on
dockerfile = (deploy / "Dockerfile").read_text()
expect(re.search(r"^USER 10001(:10001)?$", dockerfile, re.M) is not None, "Dockerfile: runs as uid 10001, as the manifests expect")
expect(re.search(r"^EXPOSE 8080$", dockerfile, re.M) is not None, "Dockerfile: exposes 8080")
expect("COPILOT_SERVER_HOST=0.0.0.0" in dockerfile and "COPILOT_PLAYBOOKS_DIR=/etc/copilot-agent/playbooks" in dockerfile,
       "Dockerfile: sets COPILOT_SERVER_HOST and COPILOT_PLAYBOOKS_DIR")
PY
        # A crash (not a finding) still counts as a failure.
        grep -q '^Traceback' "$work/py" && { echo "FAIL  YAML structure checks crashed:"; sed 's/^/      /' "$work/py"; failed=$((failed + 1)); }
    fi
    grep -v '^Traceback' "$work/py" | grep -E '^(ok|FAIL) ' || true
    passed=$((passed + $(grep -c '^ok ' "$work/py" || true)))
    failed=$((failed + $(grep -c '^FAIL ' "$work/py" || true)))
fi

# --- The generated ConfigMap is what the script makes now ------------------------------------------
check "kubernetes/configmap.yaml is what make-configmap.sh generates" "$k8s/make-configmap.sh" --check

# --- systemd ----------------------------------------------------------------------------------------
if command -v systemd-analyze > /dev/null; then
    # verify insists that ExecStart's binary exists; this machine has none installed, so a copy runs
    # /bin/true instead and everything else is verified as written.
    sed 's|^ExecStart=.*|ExecStart=/bin/true|' "$deploy/copilot-agent.service" > "$work/copilot-agent.service"
    check "copilot-agent.service passes systemd-analyze verify (ExecStart replaced by /bin/true)" \
        systemd-analyze verify "$work/copilot-agent.service"
else
    skip "copilot-agent.service: systemd-analyze is not installed"
fi

# --- Compose, as Compose itself reads it -------------------------------------------------------------
compose=()
if docker compose version > /dev/null 2>&1; then
    compose=(docker compose)
elif command -v docker-compose > /dev/null; then
    compose=(docker-compose)
fi
if ((${#compose[@]})); then
    # A copy with an env file made from env.example, so that no local secret is read or needed.
    mkdir -p "$work/compose/Deploy"
    cp "$deploy/compose.yaml" "$deploy/otel-collector.yaml" "$work/compose/Deploy/"
    cp "$deploy/env.example" "$work/compose/Deploy/env"
    check "compose.yaml is valid for ${compose[*]} config" \
        env POSTGRES_PASSWORD=validate "${compose[@]}" -f "$work/compose/Deploy/compose.yaml" config --quiet
    if env -u POSTGRES_PASSWORD "${compose[@]}" -f "$work/compose/Deploy/compose.yaml" config --quiet > "$work/out" 2>&1; then
        fail "compose.yaml refuses to run without POSTGRES_PASSWORD"
    else
        pass "compose.yaml refuses to run without POSTGRES_PASSWORD"
    fi
else
    skip "compose.yaml: neither docker compose nor docker-compose is installed"
fi

# --- Kubernetes schemas -----------------------------------------------------------------------------
if command -v kubeconform > /dev/null; then
    check "kubernetes manifests pass kubeconform -strict" kubeconform -strict -summary "${k8s_docs[@]}"
elif command -v kubernetes-validate > /dev/null; then
    skip "kubeconform is not installed; using kubernetes-validate instead"
    check "kubernetes manifests pass kubernetes-validate --strict" kubernetes-validate --strict --quiet "${k8s_docs[@]}"
else
    skip "kubernetes schemas: neither kubeconform nor kubernetes-validate is installed"
fi
if command -v kubectl > /dev/null; then
    check "kubectl kustomize builds Deploy/kubernetes" kubectl kustomize "$k8s"
else
    skip "kustomize build: kubectl is not installed"
fi

# --- Dockerfile and scripts -------------------------------------------------------------------------
if command -v hadolint > /dev/null; then
    check "Dockerfile passes hadolint" hadolint "$deploy/Dockerfile"
else
    skip "Dockerfile: hadolint is not installed"
fi
if command -v shellcheck > /dev/null; then
    check "validate.sh and make-configmap.sh pass shellcheck" shellcheck "$deploy/validate.sh" "$k8s/make-configmap.sh"
else
    skip "scripts: shellcheck is not installed"
fi

echo "Deploy/validate.sh: $passed checks passed, $failed failed, $skipped skipped"
((failed == 0))
