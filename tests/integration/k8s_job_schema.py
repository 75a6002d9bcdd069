# SPDX-License-Identifier: MIT
"""Validate Kubernetes batch/v1 Job manifests offline: the fields of the
batch/v1 Job, PodTemplateSpec, PodSpec, Container, ResourceRequirements,
VolumeMount, Volume and Affinity objects that hotpath job writes, with
their types and rules as the Kubernetes API reference (v1.29) gives them.
A key the API does not have, a wrong type, or a broken rule (a name that
is not a DNS-1123 label, a Job template's restartPolicy other than Never or
OnFailure, completionMode Indexed without completions) is an error.

    k8s_job_schema.py FILE.yaml   -> prints the Jobs it checked, exit 1 on error
"""
import re
import sys

import yaml

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")
LABEL_KEY = re.compile(r"^([a-z0-9.-]+/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")


def labels(v, path):
    assert isinstance(v, dict), path
    for k, x in v.items():
        assert LABEL_KEY.match(k) and len(k.split("/")[-1]) <= 63, "%s: label key %r" % (path, k)
        assert isinstance(x, str) and LABEL_VALUE.match(x) and len(x) <= 63, \
            "%s.%s: label value %r" % (path, k, x)


def string(v, path):
    assert isinstance(v, str), "%s: a string, not %r" % (path, v)


def integer(lo):
    def check(v, path):
        assert isinstance(v, int) and not isinstance(v, bool) and v >= lo, \
            "%s: an integer >= %d, not %r" % (path, lo, v)
    return check


def strings(v, path):
    assert isinstance(v, list) and all(isinstance(x, str) for x in v), \
        "%s: a list of strings" % path


def quantities(v, path):
    obj({"cpu": quantity, "memory": quantity, "ephemeral-storage": quantity})(v, path)


def quantity(v, path):
    assert isinstance(v, str) and QUANTITY.match(v), "%s: a quantity, not %r" % (path, v)


def one_of(*choices):
    def check(v, path):
        assert v in choices, "%s: one of %s, not %r" % (path, choices, v)
    return check


def list_of(item):
    def check(v, path):
        assert isinstance(v, list), "%s: a list" % path
        for i, x in enumerate(v):
            item(x, "%s[%d]" % (path, i))
    return check


def obj(fields, required=()):
    def check(v, path):
        assert isinstance(v, dict), "%s: an object, not %r" % (path, v)
        for k in v:
            assert k in fields, "%s: the API has no field %r" % (path, k)
            fields[k](v[k], "%s.%s" % (path, k))
        for k in required:
            assert k in v, "%s: %r is required" % (path, k)
    return check


def dns_label(v, path):
    assert isinstance(v, str) and DNS_LABEL.match(v) and len(v) <= 63, \
        "%s: a DNS-1123 label, not %r" % (path, v)


def dns_subdomain(v, path):
    assert isinstance(v, str) and DNS_SUBDOMAIN.match(v) and len(v) <= 253, \
        "%s: a DNS-1123 subdomain, not %r" % (path, v)


metadata = obj({"name": dns_subdomain, "namespace": dns_label, "labels": labels,
                "annotations": lambda v, p: None})
label_selector = obj({"matchLabels": labels, "matchExpressions": list_of(lambda v, p: None)})
affinity_term = obj({"topologyKey": string, "labelSelector": label_selector,
                     "namespaces": strings}, required=("topologyKey",))
weighted = obj({"weight": integer(1), "podAffinityTerm": affinity_term},
               required=("weight", "podAffinityTerm"))
pod_anti = obj({"preferredDuringSchedulingIgnoredDuringExecution": list_of(weighted),
                "requiredDuringSchedulingIgnoredDuringExecution": list_of(affinity_term)})
affinity = obj({"podAntiAffinity": pod_anti, "podAffinity": pod_anti,
                "nodeAffinity": lambda v, p: None})
env_var = obj({"name": string, "value": string, "valueFrom": lambda v, p: None},
              required=("name",))
volume_mount = obj({"name": dns_label, "mountPath": string, "readOnly": lambda v, p: None,
                    "subPath": string}, required=("name", "mountPath"))
container = obj({"name": dns_label, "image": string, "command": strings, "args": strings,
                 "env": list_of(env_var), "workingDir": string,
                 "resources": obj({"requests": quantities, "limits": quantities}),
                 "volumeMounts": list_of(volume_mount),
                 "imagePullPolicy": one_of("Always", "Never", "IfNotPresent")},
                required=("name",))
volume = obj({"name": dns_label,
              "persistentVolumeClaim": obj({"claimName": dns_subdomain,
                                            "readOnly": lambda v, p: None},
                                           required=("claimName",)),
              "emptyDir": lambda v, p: None, "hostPath": lambda v, p: None},
             required=("name",))


def pod_spec(v, path):
    obj({"restartPolicy": one_of("Never", "OnFailure"), "containers": list_of(container),
         "affinity": affinity, "volumes": list_of(volume), "nodeSelector": labels,
         "serviceAccountName": dns_subdomain},
        required=("containers", "restartPolicy"))(v, path)
    assert v["containers"], "%s.containers: at least one" % path
    names = [c["name"] for c in v["containers"]]
    assert len(set(names)) == len(names), "%s.containers: names must differ" % path
    vols = {x["name"] for x in v.get("volumes", [])}
    for c in v["containers"]:
        for m in c.get("volumeMounts", []):
            assert m["name"] in vols, "%s: mounts a volume %r the pod lacks" % (path, m["name"])


template = obj({"metadata": metadata, "spec": pod_spec}, required=("spec",))


def job_spec(v, path):
    obj({"completionMode": one_of("Indexed", "NonIndexed"), "completions": integer(0),
         "parallelism": integer(0), "backoffLimit": integer(0),
         "activeDeadlineSeconds": integer(1), "ttlSecondsAfterFinished": integer(0),
         "template": template}, required=("template",))(v, path)
    if v.get("completionMode") == "Indexed":
        assert "completions" in v, "%s: an Indexed Job needs completions" % path


job = obj({"apiVersion": one_of("batch/v1"), "kind": one_of("Job"), "metadata": metadata,
           "spec": job_spec}, required=("apiVersion", "kind", "metadata", "spec"))


def main():
    docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
    try:
        for i, d in enumerate(docs):
            job(d, "document %d" % (i + 1))
            assert "name" in d["metadata"], "document %d: metadata.name" % (i + 1)
    except AssertionError as e:
        print("k8s_job_schema: %s: %s" % (sys.argv[1], e), file=sys.stderr)
        return 1
    for d in docs:
        print(d["metadata"]["name"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
