"""The example ML serving stack that chaosml drills run against (``chaosml demo``).

Three small services, plain Python, metrics via ``prometheus_client``:

- ``feature_service``  serves feature vectors per entity from a CSV/JSONL file (re-read on change)
- ``model_server``     fetches features, validates them, scores a logistic-regression model
- ``traffic``          steady requests to ``/predict`` plus a health prober

``stack`` starts the three as local processes on free loopback ports; ``monitoring`` starts a
Prometheus and an Alertmanager for them with the rules in ``rules/ml-stack.rules.yml``.
``train`` (re)builds the shipped model artifact ``data/model.json`` from a generated dataset.
"""
