"""The Kubernetes deployment, as far as it can be checked offline: the chart's values, the
hub's configuration with KubeSpawner selected, a learner's pod as KubeSpawner builds it, and
the manifests beside them."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import yaml
from traitlets.config import Config

from common.event_loop import run_coroutine
from hub_config.kubernetes import CATALOG_MOUNT, EXCHANGE_MOUNT
from installation.layout import DATA_DIR_ENV, DataLayout
from installation.settings import EXCHANGE_ROOT_ENV, SERVER_ROLE_ENV

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"

# The keys of Zero to JupyterHub 4.x's values (its values.schema.yaml) under the sections
# the academy sets: a misspelt key is silently ignored by Helm, so it is caught here.
CHART_KEYS = {
    "": {"hub", "singleuser", "cull", "scheduling", "proxy", "prePuller", "ingress",
         "imagePullSecret", "fullnameOverride", "nameOverride", "global", "debug",
         "rbac", "custom"},
    "hub": {"image", "db", "extraEnv", "extraVolumes", "extraVolumeMounts", "extraConfig",
            "networkPolicy", "resources", "config", "services", "loadRoles", "cookieSecret",
            "concurrentSpawnLimit", "activeServerLimit", "templatePaths", "templateVars",
            "nodeSelector", "tolerations", "baseUrl", "containerSecurityContext"},
    "hub.db": {"type", "url", "password", "upgrade", "pvc"},
    "singleuser": {"image", "defaultUrl", "cmd", "cpu", "memory", "storage",
                   "networkPolicy", "extraEnv", "uid", "fsGid", "extraLabels",
                   "profileList", "startTimeout", "serviceAccountName", "lifecycleHooks",
                   "nodeSelector", "extraResource", "allowPrivilegeEscalation"},
    "singleuser.cpu": {"limit", "guarantee"},
    "singleuser.memory": {"limit", "guarantee"},
    "singleuser.storage": {"type", "capacity", "homeMountPath", "dynamic", "static",
                           "extraVolumes", "extraVolumeMounts", "extraLabels"},
    "singleuser.networkPolicy": {"enabled", "ingress", "egress", "egressAllowRules",
                                 "interNamespaceAccessLabels", "allowedIngressPorts"},
    "singleuser.networkPolicy.egressAllowRules": {
        "cloudMetadataServer", "dnsPortsCloudMetadataServer", "dnsPortsKubeSystemNamespace",
        "dnsPortsPrivateIPs", "nonPrivateIPs", "privateIPs"},
    "cull": {"enabled", "users", "adminUsers", "removeNamedServers", "timeout", "every",
             "concurrency", "maxAge"},
    "scheduling": {"userScheduler", "podPriority", "userPlaceholder", "corePods",
                   "userPods"},
    "proxy": {"service", "https", "secretToken", "chp", "traefik"},
}


def load(name: str) -> list[dict]:
    return [d for d in yaml.safe_load_all((DEPLOY / name).read_text()) if d]


def test_values_use_only_the_charts_keys_and_the_academys_choices():
    values = load("values.yaml")[0]
    for path, allowed in CHART_KEYS.items():
        section = values
        for part in filter(None, path.split(".")):
            section = section[part]
        unknown = set(section) - allowed
        assert not unknown, f"{path or 'top level'}: not keys of the chart: {unknown}"
    assert values["hub"]["db"]["type"] == "postgres"
    assert values["cull"]["enabled"] and values["cull"]["timeout"] == 3600
    assert values["singleuser"]["cpu"]["limit"] and values["singleuser"]["memory"]["limit"]
    rules = values["singleuser"]["networkPolicy"]["egressAllowRules"]
    assert values["singleuser"]["networkPolicy"]["enabled"]
    assert not rules["privateIPs"] and not rules["nonPrivateIPs"]  # no database, no grader
    compile(values["hub"]["extraConfig"]["academy"], "extraConfig", "exec")
    # the chart's own hardening kept (uid 1000, no escalation); only the profiles that
    # refuse bubblewrap's user namespaces (the PDF sandbox of the verification page) relaxed
    hub_context = values["hub"]["containerSecurityContext"]
    assert hub_context["runAsUser"] != 0 and hub_context["allowPrivilegeEscalation"] is False
    assert hub_context["seccompProfile"] == hub_context["appArmorProfile"] == {
        "type": "Unconfined"}


KUBECONFIG = """
apiVersion: v1
kind: Config
clusters: [{name: offline, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: hub, user: {token: not-used}}]
contexts: [{name: offline, context: {cluster: offline, user: hub, namespace: academy}}]
current-context: offline
"""


def test_hub_config_with_kubespawner_builds_a_learners_pod(
    initialised_data_dir, monkeypatch, tmp_path
):
    from kubespawner import KubeSpawner

    monkeypatch.setenv(DATA_DIR_ENV, str(initialised_data_dir))
    # KubeSpawner reads a cluster's address at start; building a pod sends nothing to it
    from kubernetes_asyncio.config import kube_config

    (tmp_path / "kubeconfig").write_text(KUBECONFIG)
    monkeypatch.setattr(kube_config, "KUBE_CONFIG_DEFAULT_LOCATION", str(tmp_path / "kubeconfig"))
    values = load("values.yaml")[0]
    c = Config()
    # what the chart's own jupyterhub_config.py sets before the academy's extraConfig
    c.JupyterHub.services = [{"name": "jupyterhub-idle-culler"}]
    c.JupyterHub.load_roles = [{"name": "jupyterhub-idle-culler", "services":
                                ["jupyterhub-idle-culler"], "scopes": ["delete:servers"]}]
    c.KubeSpawner.cpu_limit = float(values["singleuser"]["cpu"]["limit"])
    c.KubeSpawner.mem_limit = values["singleuser"]["memory"]["limit"]
    exec(values["hub"]["extraConfig"]["academy"], {"c": c})  # noqa: S102 (our own file)

    assert c.JupyterHub.spawner_class == "kubespawner.KubeSpawner"
    assert c.JupyterHub.authenticator_class == "hub_config.authenticator.AcademyAuthenticator"
    assert "learner1" in c.Authenticator.allowed_users
    names = [s["name"] for s in c.JupyterHub.services]
    assert names[:3] == ["jupyterhub-idle-culler", "eoffice", "grading"]  # the chart's stays
    eoffice = c.JupyterHub.services[1]
    assert eoffice["url"] == "http://academy-eoffice:8000" and "command" not in eoffice
    # the dashboards run in the hub pod, on loopback, and their login carries the role
    # pages' scopes; the hub lands each role on its page
    dashboards = c.JupyterHub.services[3]
    assert dashboards["name"] == "dashboards" and dashboards["url"].startswith("http://127.")
    assert "custom:academy:read:records" in dashboards["oauth_client_allowed_scopes"]
    assert callable(c.JupyterHub.default_url)
    # the hub's pages get their texts as on one machine (a login page of another
    # authenticator, SSO, renders the academy's template with them)
    texts = c.JupyterHub.template_vars["_"](None)  # JupyterHub calls it with the user
    assert texts("Sign in") == "Đăng nhập" and c.JupyterHub.template_vars["language"] == "vi"
    roles = [r["name"] for r in c.JupyterHub.load_roles]
    assert roles[0] == "jupyterhub-idle-culler" and "learner" in roles

    user = SimpleNamespace(name="learner1", id=7, url="/user/learner1/", escaped_name="learner1")
    hub = SimpleNamespace(public_host="", url="http://hub:8081/hub/", base_url="/hub/",
                          api_url="http://hub:8081/hub/api")

    from kubernetes_asyncio.client import ApiClient

    async def build() -> dict:  # the spawner makes its API client on the running loop
        manifest = await KubeSpawner(config=c, _mock=True, user=user, hub=hub).get_pod_manifest()
        async with ApiClient() as api:
            return api.sanitize_for_serialization(manifest)

    pod = run_coroutine(build())
    container = pod["spec"]["containers"][0]
    # a uid of its own (100000 + the hub's user id), as a unix account on one machine
    assert pod["spec"]["securityContext"]["fsGroup"] == 100_007
    assert container["securityContext"] == {"runAsUser": 100_007, "runAsGroup": 100_007,
                                            "allowPrivilegeEscalation": False}
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]
              if m["name"] == "academy-data"}
    assert {m.get("subPath") for m in mounts.values()} == {"exchange", "catalog"}
    assert mounts[CATALOG_MOUNT]["readOnly"] is True
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env[SERVER_ROLE_ENV] == "learner" and env[EXCHANGE_ROOT_ENV] == EXCHANGE_MOUNT
    assert float(container["resources"]["limits"]["cpu"]) == 1.0
    assert int(container["resources"]["limits"]["memory"]) == 2**30  # values: 1G
    # the learner's pod is not one the databases' NetworkPolicy lets in
    assert "academy/db-client" not in pod["metadata"].get("labels", {})
    assert DataLayout.at(initialised_data_dir).databases_file.exists()


def test_manifests_eoffice_grading_jobs_and_network_policies():
    kinds = {d["kind"]: d for name in ("eoffice.yaml", "grading-job.yaml",
                                        "network-policies.yaml", "data-volume.yaml")
             for d in load(name)}
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "Job", "NetworkPolicy",
            "PersistentVolumeClaim"} <= set(kinds)
    assert kinds["PersistentVolumeClaim"]["spec"]["accessModes"] == ["ReadWriteMany"]
    job = kinds["Job"]["spec"]["template"]["spec"]["containers"][0]
    assert job["command"][:5] == ["academy", "--data-dir", "/srv/academy", "grade",
                                  "autograde"]
    # every replica gets the same sandbox PKI from a Secret and never makes one of its own
    pod = kinds["Deployment"]["spec"]["template"]["spec"]
    container = pod["containers"][0]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["EOFFICE_PKI_CREATE"] == "false"
    [mount] = [m for m in container["volumeMounts"] if m["name"] == "training-pki"]
    assert mount["mountPath"] == env["EOFFICE_PKI_DIR"] and mount["readOnly"] is True
    [volume] = [v for v in pod["volumes"] if v["name"] == "training-pki"]
    assert volume["secret"]["secretName"] == "academy-eoffice-pki"
    assert volume["secret"]["defaultMode"] & 0o007 == 0  # not world-readable
    policies = {d["metadata"]["name"]: d for d in load("network-policies.yaml")}
    sources = policies["academy-postgres"]["spec"]["ingress"][0]["from"]
    allowed = [s["podSelector"]["matchLabels"] for s in sources]
    assert allowed == [{"component": "hub"}, {"academy/db-client": "true"}]
    assert policies["academy-grading"]["spec"]["ingress"] == []
