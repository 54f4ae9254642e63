"""ops/deploy: every YAML file parses; every setting the samples give (as a config key or as a
TT_ variable) is one of the node's (`tacosd --help`), and the configurations load in a real
tacosd; in the Kubernetes manifests the ports, names and paths agree (container port, Services,
probes, cluster.advertise, grpc.listen; the StatefulSet's headless Service; what is mounted where
the config says); the systemd unit runs the config file and data directory its comment installs."""
import os
import re
import shlex
import signal
import subprocess
import tempfile
import time
import unittest

import yaml

from ops_scripts import ROOT, TACOSD

DEPLOY = os.path.join(ROOT, "ops", "deploy")
KUBERNETES = os.path.join(DEPLOY, "kubernetes")
SAMPLE = os.path.join(DEPLOY, "node.yaml")
UNIT = os.path.join(DEPLOY, "tacosd.service")


def read(path):
    with open(path) as f:
        return f.read()


def yaml_files():
    for folder, _, names in os.walk(DEPLOY):
        for name in sorted(names):
            if name.endswith((".yaml", ".yml")):
                yield os.path.join(folder, name)


def documents(path):
    return [d for d in yaml.safe_load_all(read(path)) if d is not None]


def settings_table():
    """{key: variable} from `tacosd --help`: lines `  KEY  VARIABLE  [default]`."""
    done = subprocess.run([TACOSD, "--help"], capture_output=True, text=True, timeout=30)
    table = dict(re.findall(r"^  (\S+)  (TT_[A-Z0-9_]+)  \[", done.stdout + done.stderr, re.M))
    assert table, "tacosd --help printed no settings:\n" + done.stdout + done.stderr
    return table


def flatten(node, prefix=""):
    """Dotted keys as tacosd's config loader reads them: nested maps name a setting's parts."""
    out = {}
    for key, value in node.items():
        name = "%s.%s" % (prefix, key) if prefix else str(key)
        if isinstance(value, dict):
            out.update(flatten(value, name))
        else:
            out[name] = value
    return out


def port_of(address):
    return int(str(address).rsplit(":", 1)[1])


class Manifests:
    """The Kubernetes objects, by kind and name."""

    def __init__(self):
        self.objects = {}
        for name in sorted(os.listdir(KUBERNETES)):
            if name != "kustomization.yaml":
                for doc in documents(os.path.join(KUBERNETES, name)):
                    self.objects[(doc["kind"], doc["metadata"]["name"])] = doc

    def only(self, kind):
        found = [o for (k, _), o in self.objects.items() if k == kind]
        assert len(found) == 1, "expected one %s, found %d" % (kind, len(found))
        return found[0]

    def services(self):
        return [o for (k, _), o in self.objects.items() if k == "Service"]

    def statefulset(self):
        return self.only("StatefulSet")

    def container(self):
        (container,) = self.statefulset()["spec"]["template"]["spec"]["containers"]
        return container

    def env(self):
        return {e["name"]: e for e in self.container()["env"]}

    def configmap_config(self):
        """The ConfigMap's config file: (the ConfigMap, its key, the file's text)."""
        configmap = self.only("ConfigMap")
        ((key, text),) = configmap["data"].items()
        return configmap, key, text


class DeployManifests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.table = settings_table()
        cls.k8s = Manifests()

    def configs(self):
        """(where, the config file's text) for each configuration the samples give."""
        _, key, text = self.k8s.configmap_config()
        return [(os.path.relpath(SAMPLE, ROOT), read(SAMPLE)), ("ConfigMap " + key, text)]

    def test_every_yaml_file_parses(self):
        files = list(yaml_files())
        self.assertGreaterEqual(len(files), 6, files)
        for path in files:
            with self.subTest(path=os.path.relpath(path, ROOT)):
                self.assertTrue(documents(path))

    def test_the_kustomization_applies_every_manifest(self):
        kustomization = yaml.safe_load(read(os.path.join(KUBERNETES, "kustomization.yaml")))
        others = sorted(n for n in os.listdir(KUBERNETES)
                        if n.endswith(".yaml") and n != "kustomization.yaml")
        self.assertEqual(sorted(kustomization["resources"]), others)

    def test_every_config_key_is_a_setting_of_the_node(self):
        for where, text in self.configs():
            for key, value in flatten(yaml.safe_load(text)).items():
                with self.subTest(config=where, key=key):
                    self.assertTrue(key in self.table, "not a setting of tacosd --help")
                    self.assertNotIsInstance(value, list)  # one value per setting

    def test_every_variable_named_is_a_setting_of_the_node(self):
        variables = set(self.table.values())
        named = {}
        for folder, _, names in os.walk(DEPLOY):
            for name in names:
                path = os.path.join(folder, name)
                for variable in re.findall(r"\bTT_[A-Z0-9_]+\b", read(path)):
                    named.setdefault(variable, path)
        self.assertIn("TT_CLUSTER_ADVERTISE", named)
        for variable, path in named.items():
            with self.subTest(variable=variable, file=os.path.relpath(path, ROOT)):
                self.assertTrue(variable in variables, "not a variable of tacosd --help")

    def test_the_configurations_load_in_tacosd(self):
        # Their values too, with the node's own loader: a real start from the file, on embedded
        # Kafka and alone (flags override the file), until it serves.
        for where, text in self.configs():
            with self.subTest(config=where), tempfile.TemporaryDirectory(prefix="deploy-") as tmp:
                config = os.path.join(tmp, "node.yaml")
                with open(config, "w") as f:
                    f.write(text)
                log_path = os.path.join(tmp, "node.log")
                with open(log_path, "w") as log:
                    node = subprocess.Popen(
                        [TACOSD, "--config", config, "--grpc.listen=127.0.0.1:0",
                         "--http.listen=127.0.0.1:0",
                         "--storage.data_dir", os.path.join(tmp, "data"),
                         "--catalog.dir=/nonexistent", "--kafka.bootstrap_servers=embedded",
                         "--cluster.enabled=false", "--log.format=text"],
                        stdout=log, stderr=subprocess.STDOUT)
                try:
                    deadline = time.monotonic() + 60
                    while "grpc: serving" not in read(log_path):
                        self.assertIsNone(node.poll(), read(log_path))
                        self.assertLess(time.monotonic(), deadline, read(log_path))
                        time.sleep(0.05)
                    node.send_signal(signal.SIGTERM)
                    self.assertEqual(node.wait(timeout=30), 0, read(log_path))
                finally:
                    node.kill()
                    node.wait()

    def test_the_grpc_port_agrees_everywhere(self):
        container = self.k8s.container()
        (port,) = container["ports"]
        grpc_port = port["containerPort"]
        _, _, text = self.k8s.configmap_config()
        self.assertEqual(port_of(flatten(yaml.safe_load(text))["grpc.listen"]), grpc_port)
        self.assertEqual(port_of(self.k8s.env()["TT_CLUSTER_ADVERTISE"]["value"]), grpc_port)
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            with self.subTest(probe=probe):
                self.assertEqual(container[probe]["grpc"]["port"], grpc_port)
        self.assertEqual(len(self.k8s.services()), 2)
        for service in self.k8s.services():
            with self.subTest(service=service["metadata"]["name"]):
                (service_port,) = service["spec"]["ports"]
                self.assertEqual(service_port["port"], grpc_port)
                self.assertIn(service_port["targetPort"], (grpc_port, port["name"]))
        sample = flatten(yaml.safe_load(read(SAMPLE)))
        self.assertEqual(port_of(sample["grpc.listen"]), port_of(sample["cluster.advertise"]))

    def test_each_pod_advertises_its_name_under_the_headless_service(self):
        statefulset = self.k8s.statefulset()
        service = self.k8s.objects[("Service", statefulset["spec"]["serviceName"])]
        self.assertEqual(service["spec"]["clusterIP"], "None")
        labels = statefulset["spec"]["template"]["metadata"]["labels"]
        self.assertEqual(statefulset["spec"]["selector"]["matchLabels"], labels)
        for svc in self.k8s.services():
            self.assertLessEqual(svc["spec"]["selector"].items(), labels.items())
        env = self.k8s.env()
        host = env["TT_CLUSTER_ADVERTISE"]["value"].rsplit(":", 1)[0]
        self.assertEqual(host, "$(POD_NAME).%s.$(POD_NAMESPACE).svc" % service["metadata"]["name"])
        self.assertEqual(env["TT_NODE_ID"]["value"], "$(POD_NAME)")
        # Kubernetes expands $(NAME) only from variables defined above the one that uses it.
        order = [e["name"] for e in self.k8s.container()["env"]]
        for name, source in (("POD_NAME", "metadata.name"),
                             ("POD_NAMESPACE", "metadata.namespace")):
            self.assertEqual(env[name]["valueFrom"]["fieldRef"]["fieldPath"], source)
            self.assertLess(order.index(name), order.index("TT_CLUSTER_ADVERTISE"))
        self.assertLess(order.index("POD_NAME"), order.index("TT_NODE_ID"))

    def test_the_config_names_what_the_pod_mounts(self):
        container = self.k8s.container()
        mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        volumes = {v["name"]: v for v in
                   self.k8s.statefulset()["spec"]["template"]["spec"]["volumes"]}
        configmap, key, text = self.k8s.configmap_config()
        config = flatten(yaml.safe_load(text))
        args = container["args"]
        config_path = args[args.index("--config") + 1]
        (config_volume,) = [n for n, v in volumes.items()
                            if v.get("configMap", {}).get("name") == configmap["metadata"]["name"]]
        self.assertEqual(config_path, os.path.join(mounts[config_volume], key))
        (claim,) = self.k8s.statefulset()["spec"]["volumeClaimTemplates"]
        self.assertEqual(config["storage.data_dir"], mounts[claim["metadata"]["name"]])
        self.assertIn(config["catalog.dir"], mounts.values())

    def test_what_the_manifests_use_but_do_not_hold_the_readme_creates(self):
        readme = read(os.path.join(DEPLOY, "README.md"))
        volumes = self.k8s.statefulset()["spec"]["template"]["spec"]["volumes"]
        for volume in volumes:
            name = volume.get("configMap", {}).get("name")
            if name and ("ConfigMap", name) not in self.k8s.objects:
                self.assertIn("create configmap %s " % name, readme)
        for variable in self.k8s.container()["env"]:
            secret = variable.get("valueFrom", {}).get("secretKeyRef")
            if secret:
                self.assertIn("create secret generic %s " % secret["name"], readme)
                self.assertIn("--from-literal=%s=" % secret["key"], readme)


class SystemdUnit(unittest.TestCase):
    def setUp(self):
        self.text = read(UNIT)
        self.comment = "\n".join(line[1:] for line in self.text.splitlines()
                                 if line.startswith("#"))
        self.service = {}
        section = None
        for line in self.text.splitlines():
            if line.startswith("["):
                section = line.strip("[]")
            elif "=" in line and not line.startswith("#") and section == "Service":
                key, value = line.split("=", 1)
                self.service[key] = value
        self.sample = flatten(yaml.safe_load(read(SAMPLE)))

    def test_it_runs_the_config_file_its_comment_installs(self):
        argv = shlex.split(self.service["ExecStart"])
        config = argv[argv.index("--config") + 1]
        self.assertRegex(self.comment, r"install .*build/adapters/node/tacosd %s\n" %
                         re.escape(argv[0]))
        self.assertRegex(self.comment, r"install .*ops/deploy/node\.yaml %s\b" %
                         re.escape(config))
        self.assertRegex(self.comment, r"cp -r ops/catalog %s\n" %
                         re.escape(self.sample["catalog.dir"]))
        self.assertIn(">" + self.service["EnvironmentFile"], self.comment)

    def test_its_data_directory_is_the_configs(self):
        state = "/var/lib/" + self.service["StateDirectory"]
        self.assertEqual(self.sample["storage.data_dir"], state)
        self.assertEqual(self.service["WorkingDirectory"], state)

    def test_it_runs_as_its_own_user_and_is_restarted(self):
        self.assertNotIn(self.service["User"], ("", "root"))
        self.assertRegex(self.comment, re.compile(
            r"useradd --system .* %s$" % re.escape(self.service["User"]), re.M))
        self.assertEqual(self.service["Restart"], "on-failure")
        # Exit 2 is a bad setting (tacosd --help): restarting it only repeats the error.
        self.assertEqual(self.service["RestartPreventExitStatus"], "2")
        self.assertGreaterEqual(int(self.service["LimitNOFILE"]), 65536)


if __name__ == "__main__":
    unittest.main()
