"""Local stacks chaosml can start for tests and demos (monitoring: Prometheus, Alertmanager)."""
