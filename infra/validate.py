#!/usr/bin/env python3
"""Checks infra/ (Dockerfile, compose file, Kubernetes manifests) against what the code actually has: the services'
ports, health paths, queue names and setting names. Called by infra/validate.sh with the output of
`docker-compose config` (the compose file resolved with the example env file). Exits 1 on any problem, printing the
first as one line (every one with --all); prints one summary line and exits 0 otherwise.

    infra/validate.py RESOLVED_COMPOSE_YAML [--all]"""

import fnmatch
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "infra/docker/Dockerfile"
K8S = ROOT / "infra/k8s"
SECRET_EXAMPLES = K8S / "secrets"
ENV_EXAMPLE = ROOT / "infra/compose/.env.example"
COMPOSE_FILE = ROOT / "infra/compose/docker-compose.yml"

# Service name (Dockerfile target, image name, compose service, Deployment) -> project folder under src/.
SERVICES = {"ingest": "Ingest", "preprocess": "Preprocess", "trainworker": "TrainWorker",
            "orchestrator": "Orchestrator", "deploy": "Deploy"}
# The services with an HTTP API of their own (authentication, host filtering, reachable through a NetworkPolicy).
HTTP_SERVICES = ("ingest", "orchestrator", "deploy")
IMAGE = re.compile(r"^(?:.+/)?pipeline/([a-z]+)(?::[\w.-]+)?$")

problems = []


def fail(where, message):
    problems.append(f"{where}: {message}")


def rel(path):
    return str(Path(path).resolve().relative_to(ROOT))


def port_of_url(url):
    m = re.search(r":(\d+)/?$", url.split(";")[0].strip())
    return int(m.group(1)) if m else None


# ------------------------------------------------------------------------------------------ what the code says
def const(path, name):
    m = re.search(rf'const\s+string\s+{name}\s*=\s*"([^"]*)"', (ROOT / path).read_text())
    if not m:
        fail(path, f"constant {name} not found")
        return None
    return m.group(1)


ports = {}
for svc, project in SERVICES.items():
    program = ROOT / "src" / project / "Program.cs"
    csproj = ROOT / "src" / project / f"{project}.csproj"
    if not program.is_file() or not csproj.is_file():
        fail(f"src/{project}", "Program.cs or the project file is missing")
        continue
    m = re.search(r"defaultPort:\s*(\d+)", program.read_text())
    if m:
        ports[svc] = int(m.group(1))
    else:
        fail(rel(program), "no 'defaultPort: N' (the port the service listens on)")

LIVE = const("src/Platform/Hosting/HealthEndpoints.cs", "LivePath")
READY = const("src/Platform/Hosting/HealthEndpoints.cs", "ReadyPath")
queues = set(re.findall(r'const\s+string\s+\w+\s*=\s*"([^"]+)"', (ROOT / "src/Platform/Messaging/CommandQueues.cs").read_text()))
ingest_options = (ROOT / "src/Ingest/IngestOptions.cs").read_text()


def option_default(text, prop):
    m = re.search(rf'public\s+string\s+{prop}\s*\{{\s*get;\s*set;\s*\}}\s*=\s*"([^"]*)"', text)
    return m.group(1) if m else None


MINIO_EXCHANGE = option_default(ingest_options, "MinioExchange")
MINIO_EXCHANGE_TYPE = option_default(ingest_options, "MinioExchangeType")
INGEST_BUCKET = option_default(ingest_options, "Bucket")
queues.add(option_default(ingest_options, "MinioEndpoint"))

# Settings: every options class bound from a "Pipeline:..." section, with its settable properties; nested option
# classes (Deploy:Serving) by property type; dictionaries (Bus:EndpointConcurrency) take one more key level.
classes, sections, literal_keys = {}, {}, set()
for cs in (ROOT / "src").rglob("*.cs"):
    if any(part in ("bin", "obj", "Migrations") for part in cs.parts):
        continue
    text = cs.read_text(encoding="utf-8", errors="replace")
    literal_keys.update(k.lower() for k in re.findall(r'configuration\["(Pipeline:[^"]+)"\]', text))
    decls = list(re.finditer(r"\bclass\s+(\w+)", text))
    for i, d in enumerate(decls):
        body = text[d.start(): decls[i + 1].start() if i + 1 < len(decls) else len(text)]
        props = {name.lower(): (name, typ.strip()) for typ, name in
                 re.findall(r"public\s+([\w<>?,\s\[\]]+?)\s+(\w+)\s*\{\s*get;\s*set;\s*\}", body)}
        classes.setdefault(d.group(1), {}).update(props)
        for section in re.findall(r'const\s+string\s+Section(?:Name)?\s*=\s*"(Pipeline:[^"]+)"', body):
            sections[section.lower()] = d.group(1)


def check_setting(where, key):
    """A Pipeline__... variable must name a setting the services read."""
    parts = key.split("__")
    path = ":".join(parts).lower()
    if path in literal_keys:
        return
    for n in range(len(parts), 0, -1):
        cls = sections.get(":".join(parts[:n]).lower())
        if cls:
            rest = parts[n:]
            break
    else:
        fail(where, f"{key} is not a setting of any service (no options section for it)")
        return
    while rest:
        prop = classes.get(cls, {}).get(rest[0].lower())
        if prop is None:
            fail(where, f"{key}: {cls} has no settable property '{rest[0]}'")
            return
        name, typ = prop
        rest = rest[1:]
        if typ.startswith("Dictionary<"):
            if len(rest) != 1:
                fail(where, f"{key}: {cls}.{name} takes exactly one key below it")
            elif name == "EndpointConcurrency" and rest[0] not in queues:
                fail(where, f"{key}: '{rest[0]}' is not a queue of the services ({', '.join(sorted(queues))})")
            return
        if rest:
            if typ.rstrip("?") not in classes:
                fail(where, f"{key}: {cls}.{name} has no settings below it")
                return
            cls = typ.rstrip("?")


# ------------------------------------------------------------------------------------------------- Dockerfile
stages, stage = {}, None
dockerfile_text = DOCKERFILE.read_text()
for raw in re.sub(r"\\\n", " ", dockerfile_text).splitlines():
    line = raw.strip()
    if not line or line.startswith("#"):
        continue
    word, _, args = line.partition(" ")
    word = word.upper()
    if word == "FROM":
        m = re.match(r"(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", args, re.I)
        stage = {"base": m.group(1), "env": {}, "expose": [], "copy_from": [], "run": [], "entrypoint": None, "health": None}
        stages[(m.group(2) or f"#{len(stages)}").lower()] = stage
    elif stage is None:
        continue
    elif word == "ENV":
        for k, v in re.findall(r'(\w+)=("[^"]*"|\S*)', args):
            stage["env"][k] = v.strip('"')
    elif word == "EXPOSE":
        stage["expose"] += [int(p.split("/")[0]) for p in args.split()]
    elif word == "COPY":
        tokens = args.split()
        src_from = [t.split("=", 1)[1] for t in tokens if t.startswith("--from=")]
        paths = [t for t in tokens if not t.startswith("--")]
        if src_from:
            stage["copy_from"] += src_from
        else:
            stage.setdefault("copied", []).extend(paths[:-1])
            for src in paths[:-1]:
                if not (ROOT / src).exists():
                    fail(rel(DOCKERFILE), f"COPY source '{src}' does not exist in the repository")
                for pattern in (ROOT / ".dockerignore").read_text().split():
                    p = pattern.rstrip("/")
                    if not pattern.startswith("#") and (fnmatch.fnmatch(src.rstrip("/"), p) or src.startswith(p + "/")
                                                        or (p.startswith("**/") and f"/{p[3:]}/" in f"/{src}/")):
                        fail(".dockerignore", f"'{pattern}' excludes '{src}', which the Dockerfile copies")
    elif word == "RUN":
        stage["run"].append(args)
    elif word == "ENTRYPOINT":
        stage["entrypoint"] = yaml.safe_load(args)
    elif word == "HEALTHCHECK":
        stage["health"] = args


def project_closure(project):
    """The src/ projects a service's restore needs: itself and every ProjectReference, transitively."""
    todo, seen = [ROOT / "src" / project / f"{project}.csproj"], set()
    while todo:
        csproj = todo.pop()
        if csproj in seen or not csproj.is_file():
            continue
        seen.add(csproj)
        for ref in re.findall(r'<ProjectReference\s+Include="([^"]+)"', csproj.read_text()):
            todo.append((csproj.parent / ref.replace("\\", "/")).resolve())
    return sorted(str(p.relative_to(ROOT)) for p in seen)


# The restore step runs on the project files copied before it: every project a service references must be among them,
# or the image build fails at restore (a new project under src/ is easy to forget here).
restore_copied = set(stages.get("build", {}).get("copied", []))
for project in sorted(set(SERVICES.values())):
    for needed in project_closure(project):
        if needed not in restore_copied:
            fail(rel(DOCKERFILE), f"the build stage restores src/{project} but does not COPY {needed} before it")


def stage_env(name, key, seen=()):
    """ENV as the stage sees it, following FROM <stage> chains."""
    s = stages.get(name)
    if s is None or name in seen:
        return None
    return s["env"].get(key) or stage_env(s["base"].lower(), key, seen + (name,))


image_ports = {}
for svc, project in SERVICES.items():
    where = f"{rel(DOCKERFILE)} target {svc}"
    s = stages.get(svc)
    if s is None:
        fail(rel(DOCKERFILE), f"no target '{svc}' (FROM ... AS {svc})")
        continue
    dll = f"Pipeline.{project}.dll"
    if not s["entrypoint"] or dll not in s["entrypoint"]:
        fail(where, f"ENTRYPOINT does not run {dll}")
    published = [r for f in s["copy_from"] for r in stages.get(f.lower(), {}).get("run", [])]
    if not any(f"src/{project}/{project}.csproj" in r and "publish" in r for r in published):
        fail(where, f"does not copy a stage that publishes src/{project}/{project}.csproj")
    url = stage_env(svc, "ASPNETCORE_URLS")
    port = port_of_url(url) if url else None
    image_ports[svc] = port
    if svc in ports and port != ports[svc]:
        fail(where, f"ASPNETCORE_URLS={url} but the service's port is {ports[svc]} (src/{project}/Program.cs)")
    if svc in ports and s["expose"] != [ports[svc]]:
        fail(where, f"EXPOSE {s['expose']} but the service's port is {ports[svc]}")
    if svc in ports and (not s["health"] or str(ports[svc]) not in s["health"] or READY not in s["health"]):
        fail(where, f"HEALTHCHECK does not probe {READY} on port {ports[svc]}")


def image_target(where, image):
    m = IMAGE.match(image or "")
    if not m or m.group(1) not in stages:
        fail(where, f"image '{image}' is not pipeline/<target> with a target of {rel(DOCKERFILE)}")
        return None
    if m.group(1) not in SERVICES:
        fail(where, f"image '{image}': target '{m.group(1)}' is not one of the services")
        return None
    return m.group(1)


# ---------------------------------------------------------------------------------------------------- compose
def check_compose(path):
    where = "infra/compose/docker-compose.yml"
    config = yaml.safe_load(Path(path).read_text())
    services = config.get("services", {})
    vhosts = set()
    for svc in SERVICES:
        c = services.get(svc)
        if c is None:
            fail(where, f"no service '{svc}'")
            continue
        build = c.get("build") or {}
        target = image_target(f"{where} service {svc}", c.get("image"))
        if build.get("target") != svc or target != svc:
            fail(where, f"service {svc}: build target '{build.get('target')}' / image '{c.get('image')}' do not both name '{svc}'")
        if Path(build.get("context", ".")).resolve() != ROOT or build.get("dockerfile") != "infra/docker/Dockerfile":
            fail(where, f"service {svc}: build must use the repository root and infra/docker/Dockerfile")
        env = c.get("environment") or {}
        for key in env:
            if key.startswith("Pipeline__"):
                check_setting(f"{where} service {svc}", key)
        port = port_of_url(env["ASPNETCORE_URLS"]) if "ASPNETCORE_URLS" in env else image_ports.get(svc)
        if svc in ports and port != ports[svc]:
            fail(where, f"service {svc} listens on {port}, the service's port is {ports[svc]}")
        test = " ".join(map(str, (c.get("healthcheck") or {}).get("test") or []))
        if svc in ports and (str(ports[svc]) not in test or READY not in test):
            fail(where, f"service {svc}: healthcheck does not probe {READY} on port {ports[svc]}")
        for p in c.get("ports") or []:
            target_port = p.get("target") if isinstance(p, dict) else int(str(p).split(":")[-1].split("/")[0])
            if svc in ports and target_port != ports[svc]:
                fail(where, f"service {svc} publishes container port {target_port}, the service's port is {ports[svc]}")
            published = p.get("host_ip") if isinstance(p, dict) else str(p)
            if isinstance(p, str) and not published.startswith("127.0.0.1:"):
                fail(where, f"service {svc} publishes {p} beyond 127.0.0.1")
        if svc in HTTP_SERVICES:
            if env.get("Pipeline__Security__Authentication") != "ApiKeys":
                fail(where, f"service {svc}: Pipeline__Security__Authentication is not ApiKeys")
            if not env.get("Pipeline__Security__AdminToken"):
                fail(where, f"service {svc}: Pipeline__Security__AdminToken is not set")
            allowed = str(env.get("AllowedHosts", "")).split(";")
            if svc not in allowed or "127.0.0.1" not in allowed:
                fail(where, f"service {svc}: AllowedHosts {allowed} must name '{svc}' and 127.0.0.1 (the health check's Host)")
        if str(env.get("Pipeline__RabbitMq__QuorumQueues", "")).lower() != "true":
            fail(where, f"service {svc}: Pipeline__RabbitMq__QuorumQueues is not true")
        vhosts.add(env.get("Pipeline__RabbitMq__VirtualHost"))

    minio = (services.get("minio") or {}).get("environment") or {}
    targets = {k[len("MINIO_NOTIFY_AMQP_ENABLE_"):] for k in minio if k.startswith("MINIO_NOTIFY_AMQP_ENABLE_")}
    if len(targets) != 1:
        fail(where, "minio: expected one MINIO_NOTIFY_AMQP_ENABLE_<ID> target")
    for target in targets:
        if minio.get(f"MINIO_NOTIFY_AMQP_EXCHANGE_{target}") != MINIO_EXCHANGE:
            fail(where, f"minio: exchange is not '{MINIO_EXCHANGE}' (Pipeline:Ingest:MinioExchange default)")
        if minio.get(f"MINIO_NOTIFY_AMQP_EXCHANGE_TYPE_{target}") != MINIO_EXCHANGE_TYPE:
            fail(where, f"minio: exchange type is not '{MINIO_EXCHANGE_TYPE}' (Pipeline:Ingest:MinioExchangeType default)")
        if str(minio.get(f"MINIO_NOTIFY_AMQP_DURABLE_{target}")).lower() != "on":
            fail(where, "minio: the exchange must be durable, as Ingest declares it (RabbitMQ answers 406 otherwise)")
        url_vhost = str(minio.get(f"MINIO_NOTIFY_AMQP_URL_{target}", "")).rsplit("/", 1)[-1]
        if {url_vhost} != vhosts:
            fail(where, f"minio: AMQP URL vhost '{url_vhost}' is not the services' vhost {sorted(map(str, vhosts))}")
        init = " ".join(map(str, (services.get("minio-init") or {}).get("command") or []))
        if not re.search(rf"mc event add \S+/{INGEST_BUCKET} arn:minio:sqs::{target}:amqp\b", init):
            fail(where, f"minio-init does not add the events of bucket '{INGEST_BUCKET}' to target {target}")
    rabbit = (services.get("rabbitmq") or {}).get("environment") or {}
    if {rabbit.get("RABBITMQ_DEFAULT_VHOST")} != vhosts:
        fail(where, "rabbitmq: RABBITMQ_DEFAULT_VHOST is not the services' vhost")
    for name, c in services.items():
        for v in c.get("volumes") or []:
            source = v.get("source") if isinstance(v, dict) else str(v).split(":")[0]
            kind = v.get("type") if isinstance(v, dict) else ("bind" if source.startswith("/") else "volume")
            if kind == "bind" and not Path(source).exists():
                fail(where, f"service {name} mounts {source}, which does not exist")
    # No working example secret: every key the example leaves empty is guarded by ${VAR:?...} wherever it is used.
    raw = COMPOSE_FILE.read_text()
    example = [line for line in ENV_EXAMPLE.read_text().splitlines() if line.strip() and not line.startswith("#")]
    secrets = [line[:-1] for line in example if line.endswith("=")]
    for key in ("RABBITMQ_PASSWORD", "POSTGRES_PASSWORD", "MINIO_ROOT_PASSWORD", "S3_SECRET_KEY", "PIPELINE_ADMIN_TOKEN"):
        if key not in secrets:
            fail("infra/compose/.env.example", f"{key} must be empty (an example value would be a working password)")
    for key in secrets:
        uses = re.findall(r"\$\{" + key + r"(:?[-?+=]|\})", raw)
        if not uses:
            fail(where, f"${{{key}}} (a secret of .env.example) is never used")
        for op in uses:
            if op != ":?":
                fail(where, f"${{{key}{op.rstrip('}')}...}}: a secret must be used as ${{{key}:?message}} so compose refuses to start without it")
    return len(services)


# ------------------------------------------------------------------------------------------------- Kubernetes
def check_k8s():
    objects = []
    files = sorted(K8S.glob("*.yaml"))
    for f in files:
        try:
            objects += [(rel(f), d) for d in yaml.safe_load_all(f.read_text()) if d]
        except yaml.YAMLError as e:
            fail(rel(f), f"not valid YAML: {str(e).splitlines()[0]}")
    by_kind = {}
    for where, o in objects:
        if not isinstance(o, dict) or "kind" not in o or "apiVersion" not in o:
            fail(where, "a document without kind/apiVersion")
            continue
        by_kind.setdefault(o["kind"], []).append((where, o))

    kustomizations = by_kind.get("Kustomization", [])
    if len(kustomizations) != 1:
        fail("infra/k8s", "expected one kustomization.yaml")
    else:
        listed = set(kustomizations[0][1].get("resources") or [])
        present = {f.name for f in files if f.name != "kustomization.yaml"}
        for missing in sorted(listed - present):
            fail("infra/k8s/kustomization.yaml", f"resource {missing} does not exist")
        for unlisted in sorted(present - listed):
            fail("infra/k8s/kustomization.yaml", f"{unlisted} is not listed in resources")

    namespaces = {o["metadata"]["name"] for _, o in by_kind.get("Namespace", [])}
    for where, o in objects:
        if isinstance(o, dict) and o.get("kind") not in ("Namespace", "Kustomization", None):
            if o.get("metadata", {}).get("namespace") not in namespaces:
                fail(where, f"{o['kind']} {o['metadata'].get('name')}: namespace is not one of {sorted(namespaces)}")

    config_maps = {o["metadata"]["name"]: o.get("data") or {} for _, o in by_kind.get("ConfigMap", [])}
    for name, data in config_maps.items():
        for key in data:
            if key.startswith("Pipeline__"):
                check_setting(f"infra/k8s ConfigMap {name}", key)
    # One Secret per consumer: pipeline-<service> for each Deployment, pipeline-keda for KEDA; their keys are the
    # example files in secrets/, whose values are all empty (no working placeholder).
    secrets = {}
    for f in sorted(SECRET_EXAMPLES.glob("*.env.example")):
        keys = {}
        for line in f.read_text().splitlines():
            if line.strip() and not line.startswith("#"):
                key, _, value = line.partition("=")
                keys[key] = value
                if value:
                    fail(rel(f), f"{key} has a value; example Secrets carry empty values only")
                if key.startswith("Pipeline__"):
                    check_setting(rel(f), key)
        secrets[f.name[:-len(".env.example")]] = keys
    if (K8S / "secret.example.env").exists():
        fail("infra/k8s/secret.example.env", "one Secret for every pod again: use secrets/pipeline-<service>.env.example")
    for svc in SERVICES:
        if f"pipeline-{svc}" not in secrets:
            fail("infra/k8s/secrets", f"pipeline-{svc}.env.example (the keys of service {svc}'s own Secret) is missing")
        elif svc in HTTP_SERVICES and "Pipeline__Security__AdminToken" not in secrets[f"pipeline-{svc}"]:
            fail(f"infra/k8s/secrets/pipeline-{svc}.env.example", "no Pipeline__Security__AdminToken (the bootstrap admin key)")

    def check_secret(where, name, owner, key=None):
        if name != owner:
            fail(where, f"Secret '{name}' is not {owner}: each consumer reads its own Secret only")
        elif name not in secrets:
            fail(where, f"Secret '{name}' has no secrets/{name}.env.example listing its keys")
        elif key is not None and key not in secrets[name]:
            fail(where, f"key '{key}' of Secret {name} is not in secrets/{name}.env.example")

    deployments = {}
    for where, d in by_kind.get("Deployment", []):
        name = d["metadata"]["name"]
        pod = d["spec"]["template"]["spec"]
        deployments[name] = d
        if len(pod.get("containers") or []) != 1:
            fail(where, f"Deployment {name}: expected one container")
            continue
        c = pod["containers"][0]
        svc = image_target(f"{where} Deployment {name}", c.get("image"))
        if svc is None:
            continue
        if svc != name:
            fail(where, f"Deployment {name} runs image of service '{svc}'")
        env = {e["name"]: e for e in c.get("env") or []}
        settings = {}
        for source in c.get("envFrom") or []:
            if "configMapRef" in source:
                ref = source["configMapRef"]["name"]
                if ref not in config_maps:
                    fail(where, f"Deployment {name}: ConfigMap {ref} is not in infra/k8s")
                settings.update(config_maps.get(ref, {}))
            if "secretRef" in source:
                ref = source["secretRef"]["name"]
                check_secret(f"{where} Deployment {name}", ref, f"pipeline-{name}")
                settings.update({k: "(secret)" for k in secrets.get(ref, {})})
        for key, e in env.items():
            settings[key] = e.get("value")
            if key.startswith("Pipeline__"):
                check_setting(f"{where} Deployment {name}", key)
            ref = (e.get("valueFrom") or {}).get("secretKeyRef")
            if ref:
                check_secret(f"{where} Deployment {name}", ref["name"], f"pipeline-{name}", ref["key"])
        for required in ("Pipeline__Transport", "Pipeline__RabbitMq__Host", "Pipeline__RabbitMq__Username",
                         "Pipeline__RabbitMq__Password", "Pipeline__Database__Provider",
                         "Pipeline__Database__ConnectionString", "Pipeline__Storage__Provider",
                         "Pipeline__Storage__Endpoint", "Pipeline__Storage__AccessKey", "Pipeline__Storage__SecretKey"):
            if required not in settings:
                fail(where, f"Deployment {name}: {required} is not set (ConfigMap, Secret or env)")
        allowed = [h for h in str(settings.get("AllowedHosts") or "").split(";") if h]
        if svc in HTTP_SERVICES:
            for required in ("Pipeline__Security__AdminToken", "AllowedHosts"):
                if required not in settings:
                    fail(where, f"Deployment {name}: {required} is not set")
            if settings.get("Pipeline__Security__Authentication") != "ApiKeys":
                fail(where, f"Deployment {name}: Pipeline__Security__Authentication is not ApiKeys")
            if allowed and svc not in allowed:
                fail(where, f"Deployment {name}: AllowedHosts does not name its Service '{svc}'")
        url = settings.get("ASPNETCORE_URLS")
        port = port_of_url(url) if url else image_ports.get(svc)
        if svc in ports and port != ports[svc]:
            fail(where, f"Deployment {name} listens on {port}, the service's port is {ports[svc]}")
        named = {p.get("name"): p["containerPort"] for p in c.get("ports") or []}
        for p in c.get("ports") or []:
            if svc in ports and p["containerPort"] != ports[svc]:
                fail(where, f"Deployment {name}: containerPort {p['containerPort']}, the service's port is {ports[svc]}")
        for probe, path in (("livenessProbe", LIVE), ("readinessProbe", READY), ("startupProbe", None)):
            spec = c.get(probe)
            if spec is None:
                if path is not None:
                    fail(where, f"Deployment {name}: no {probe}")
                continue
            get = spec.get("httpGet") or {}
            if path is not None and get.get("path") != path:
                fail(where, f"Deployment {name}: {probe} path {get.get('path')}, the service answers {path}")
            if path is None and get.get("path") not in (LIVE, READY):
                fail(where, f"Deployment {name}: {probe} path {get.get('path')} is not a health endpoint")
            host = {h.get("name", "").lower(): h.get("value") for h in get.get("httpHeaders") or []}.get("host")
            if allowed and "*" not in allowed and host not in allowed:
                fail(where, f"Deployment {name}: {probe} sends Host '{host or 'the pod IP'}', which AllowedHosts {allowed} refuses (400)")
            probe_port = named.get(get.get("port"), get.get("port"))
            if svc in ports and probe_port != ports[svc]:
                fail(where, f"Deployment {name}: {probe} port {get.get('port')} is not the service's port {ports[svc]}")
        resources = c.get("resources") or {}
        if not (resources.get("requests") or {}).get("cpu") or not (resources.get("requests") or {}).get("memory"):
            fail(where, f"Deployment {name}: no cpu and memory requests")
    for svc in SERVICES:
        if svc not in deployments:
            fail("infra/k8s", f"no Deployment for service {svc}")

    for where, s in by_kind.get("Service", []):
        name = s["metadata"]["name"]
        selector = s["spec"].get("selector") or {}
        matches = [d for d in deployments.values()
                   if selector and all(d["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in selector.items())]
        if len(matches) != 1:
            fail(where, f"Service {name}: selector {selector} matches {len(matches)} Deployments, not 1")
            continue
        c = matches[0]["spec"]["template"]["spec"]["containers"][0]
        named = {p.get("name"): p["containerPort"] for p in c.get("ports") or []}
        for p in s["spec"].get("ports") or []:
            target = p.get("targetPort", p.get("port"))
            if named.get(target, target) not in named.values():
                fail(where, f"Service {name}: targetPort {target} is not a port of Deployment {matches[0]['metadata']['name']}")
    for svc in SERVICES:
        if svc not in {s["metadata"]["name"] for _, s in by_kind.get("Service", [])}:
            fail("infra/k8s", f"no Service for service {svc}")

    auths = {}
    for where, a in by_kind.get("TriggerAuthentication", []):
        auths[a["metadata"]["name"]] = a
        for ref in a["spec"].get("secretTargetRef") or []:
            check_secret(f"{where} TriggerAuthentication {a['metadata']['name']}", ref["name"], "pipeline-keda", ref["key"])
    scaled = by_kind.get("ScaledObject", []) + by_kind.get("HorizontalPodAutoscaler", [])
    if not any(o["spec"]["scaleTargetRef"]["name"] == "trainworker" for _, o in scaled):
        fail("infra/k8s", "nothing scales the trainworker Deployment (ScaledObject or HorizontalPodAutoscaler)")
    for where, o in by_kind.get("ScaledObject", []):
        target = o["spec"]["scaleTargetRef"]["name"]
        if target not in deployments:
            fail(where, f"ScaledObject {o['metadata']['name']}: Deployment {target} does not exist")
        for t in o["spec"].get("triggers") or []:
            if t.get("type") == "rabbitmq":
                queue = (t.get("metadata") or {}).get("queueName")
                if queue not in queues:
                    fail(where, f"ScaledObject {o['metadata']['name']}: queue '{queue}' is not a queue of the services")
                auth = (t.get("authenticationRef") or {}).get("name")
                if auth not in auths:
                    fail(where, f"ScaledObject {o['metadata']['name']}: TriggerAuthentication {auth} is not in infra/k8s")
        if "train-shard" not in {(t.get("metadata") or {}).get("queueName") for t in o["spec"].get("triggers") or []}:
            fail(where, f"ScaledObject {o['metadata']['name']}: no trigger on the train-shard queue")
    check_network_policies(by_kind.get("NetworkPolicy", []), deployments)
    return len(objects)


def check_network_policies(policies, deployments):
    """Default deny of ingress in the namespace; each HTTP service opened on its own port only; the other services
    accept nothing; egress, where restricted, still allows DNS."""
    where = "infra/k8s NetworkPolicy"

    def selects(policy, deployment):
        match = (policy["spec"].get("podSelector") or {}).get("matchLabels") or {}
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        return all(labels.get(k) == v for k, v in match.items())

    def types(policy):
        return policy["spec"].get("policyTypes") or ["Ingress"]

    if not any(p["spec"].get("podSelector") in ({}, None) and "Ingress" in types(p) and not p["spec"].get("ingress")
               for _, p in policies):
        fail(where, "no default deny of ingress (podSelector {} with policyTypes [Ingress] and no ingress rule)")
    for name, d in deployments.items():
        opened = set()
        for _, p in policies:
            if "Ingress" in types(p) and selects(p, d):
                for rule in p["spec"].get("ingress") or []:
                    if not rule.get("ports"):
                        fail(where, f"{p['metadata']['name']}: an ingress rule without ports opens every port of {name}")
                    opened.update((q or {}).get("port") for q in rule.get("ports") or [])
        named = {q.get("name"): q["containerPort"] for q in d["spec"]["template"]["spec"]["containers"][0].get("ports") or []}
        opened = {named.get(q, q) for q in opened}
        expected = {ports[name]} if name in HTTP_SERVICES and name in ports else set()
        if opened != expected:
            fail(where, f"Deployment {name}: ingress allowed on {sorted(opened, key=str) or 'no port'}, expected "
                        f"{sorted(expected) or 'none'}")
    for _, p in policies:
        if "Egress" in types(p):
            egress_ports = {(q or {}).get("port") for rule in p["spec"].get("egress") or [] for q in rule.get("ports") or []}
            if 53 not in egress_ports:
                fail(where, f"{p['metadata']['name']}: egress without DNS (port 53)")



# ------------------------------------------------------------------------------------------ observability
METRICS = const("src/Platform/Telemetry/TelemetryRegistration.cs", "MetricsPath")
PROMETHEUS_FILE = ROOT / "infra/observability/prometheus.yml"
DASHBOARD_FILE = ROOT / "infra/observability/grafana-dashboard.json"
# Our instruments, as the Prometheus exporter names them: dots to underscores, then a unit and type suffix.
INSTRUMENTS = set()
for cs in (ROOT / "src").rglob("*.cs"):
    if not any(part in ("bin", "obj") for part in cs.parts):
        INSTRUMENTS.update(n.replace(".", "_") for n in re.findall(r'Create(?:Observable)?(?:Counter|Histogram|Gauge|UpDownCounter)(?:<\w+>)?\(\s*"(pipeline\.[a-z_.]+)"', cs.read_text(encoding="utf-8", errors="replace")))
SUFFIXES = ("", "_total", "_seconds", "_seconds_bucket", "_seconds_sum", "_seconds_count", "_bucket", "_sum", "_count",
            "_per_second_bucket", "_per_second_sum", "_per_second_count", "_bytes_total")


def check_observability():
    """The scrape config names every service at its port and the metrics path; the dashboard queries our metrics only."""
    where = rel(PROMETHEUS_FILE)
    if not PROMETHEUS_FILE.is_file():
        fail(where, "missing")
        return
    jobs = {}
    for job in (yaml.safe_load(PROMETHEUS_FILE.read_text()) or {}).get("scrape_configs") or []:
        name = job.get("job_name")
        jobs[name] = job
        if name not in SERVICES:
            fail(where, f"job {name} is not a service ({', '.join(SERVICES)})")
            continue
        if job.get("metrics_path", "/metrics") != METRICS:
            fail(where, f"job {name}: metrics_path {job.get('metrics_path')} is not {METRICS}")
        targets = [t for c in job.get("static_configs") or [] for t in c.get("targets") or []]
        found = [int(t.rsplit(":", 1)[1]) for t in targets if ":" in t] + [c.get("port") for c in job.get("dns_sd_configs") or []]
        if not found or any(p != ports.get(name) for p in found):
            fail(where, f"job {name}: target ports {found} are not the service's port {ports.get(name)}")
    for svc in SERVICES:
        if svc not in jobs:
            fail(where, f"no scrape job for {svc}")
    where = rel(DASHBOARD_FILE)
    if not DASHBOARD_FILE.is_file():
        fail(where, "missing")
        return
    used = set(re.findall(r"\b(pipeline_[a-z_]+)", DASHBOARD_FILE.read_text()))
    if not used:
        fail(where, "queries none of the pipeline_* metrics")
    for metric in sorted(used):
        if not any(metric == i + sfx for i in INSTRUMENTS for sfx in SUFFIXES):
            fail(where, f"{metric} is not exported by any instrument in src/ ({', '.join(sorted(INSTRUMENTS))})")


compose_services = check_compose(sys.argv[1])
k8s_objects = check_k8s()
check_observability()
if problems:
    if "--all" in sys.argv[2:]:
        for p in problems:
            print(f"infra/validate.sh: FAIL: {p}", file=sys.stderr)
    else:
        more = f" (+{len(problems) - 1} more: infra/validate.sh --all lists them)" if len(problems) > 1 else ""
        print(f"infra/validate.sh: FAIL: {problems[0]}{more}", file=sys.stderr)
    sys.exit(1)
print(f"infra/validate.sh: ok: compose ({compose_services} services), {k8s_objects} Kubernetes documents, Dockerfile "
      f"targets and ports {', '.join(f'{s}:{p}' for s, p in ports.items())}, health {LIVE} {READY}, scrape config and dashboard ({len(INSTRUMENTS)} instruments)")
