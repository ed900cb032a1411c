"""chaosml's own drivers, registered exactly like plugins, from this explicit list.

Each line is (role, kind, "module:Class"). The module is imported only when an experiment uses
the kind (or ``chaosml drivers`` lists them all), so a run never pays for SDKs it does not use;
the class is verified against its line when it loads.
"""

BUILTIN_DRIVERS: tuple[tuple[str, str, str], ...] = (
    ("probe", "http", "chaosml.drivers.http_probe:HttpProbe"),
    ("probe", "canary", "chaosml.drivers.canary_probe:CanaryProbe"),
    ("probe", "process", "chaosml.drivers.process_driver:ProcessProbe"),
    ("fault", "process.run", "chaosml.drivers.process_driver:ProcessRun"),
    ("fault", "process.kill", "chaosml.drivers.process_driver:ProcessKill"),
    ("probe", "python", "chaosml.drivers.python_probe:PythonProbe"),
    ("action", "http.request", "chaosml.drivers.http_action:HttpRequest"),
    ("action", "python.call", "chaosml.drivers.python_action:PythonCall"),
    ("probe", "prometheus", "chaosml.drivers.prometheus_driver:PrometheusProbe"),
    ("probe", "metrics", "chaosml.drivers.metrics_probe:MetricsProbe"),
    ("probe", "alert", "chaosml.drivers.alert_probe:AlertProbe"),
    ("fault", "docker.kill", "chaosml.drivers.docker_faults:DockerKill"),
    ("fault", "docker.stop", "chaosml.drivers.docker_faults:DockerStop"),
    ("fault", "docker.pause", "chaosml.drivers.docker_faults:DockerPause"),
    ("fault", "docker.restart", "chaosml.drivers.docker_faults:DockerRestart"),
    ("action", "docker.start", "chaosml.drivers.docker_faults:DockerStart"),
    ("fault", "docker.disconnect", "chaosml.drivers.docker_network:DockerDisconnect"),
    ("probe", "docker", "chaosml.drivers.docker_probe:DockerProbe"),
    ("target", "docker", "chaosml.drivers.docker_target:DockerTarget"),
    ("target", "process", "chaosml.drivers.process_target:ProcessTarget"),
    ("fault", "proxy.latency", "chaosml.drivers.proxy_driver:ProxyLatency"),
    ("fault", "proxy.bandwidth", "chaosml.drivers.proxy_driver:ProxyBandwidth"),
    ("fault", "proxy.timeout", "chaosml.drivers.proxy_driver:ProxyTimeout"),
    ("fault", "proxy.reset", "chaosml.drivers.proxy_driver:ProxyReset"),
    ("fault", "proxy.http_error", "chaosml.drivers.proxy_driver:ProxyHttpError"),
    ("fault", "feed.corrupt", "chaosml.drivers.feed_driver:FeedCorrupt"),
    ("fault", "model.swap", "chaosml.drivers.model_swap:ModelSwap"),
    ("fault", "resource.memory", "chaosml.drivers.resource_driver:ResourceMemory"),
    ("fault", "resource.cpu", "chaosml.drivers.resource_driver:ResourceCpu"),
    ("fault", "telemetry.stop", "chaosml.drivers.telemetry_driver:TelemetryStop"),
    ("target", "k8s", "chaosml.drivers.k8s_target:K8sTarget"),
    ("probe", "k8s", "chaosml.drivers.k8s_probe:K8sProbe"),
    ("fault", "k8s.pod.delete", "chaosml.drivers.k8s_pods:K8sPodDelete"),
    ("fault", "k8s.pod.evict", "chaosml.drivers.k8s_pods:K8sPodEvict"),
    ("fault", "k8s.scale", "chaosml.drivers.k8s_faults:K8sScale"),
    ("fault", "k8s.service.blackhole", "chaosml.drivers.k8s_faults:K8sServiceBlackhole"),
    ("fault", "k8s.configmap.patch", "chaosml.drivers.k8s_faults:K8sConfigMapPatch"),
    ("fault", "k8s.networkpolicy.isolate", "chaosml.drivers.k8s_objects:K8sNetworkPolicyIsolate"),
    ("fault", "k8s.apply", "chaosml.drivers.k8s_objects:K8sApply"),
)
