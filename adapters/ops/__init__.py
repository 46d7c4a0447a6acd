"""The operations listener: Prometheus metrics, `/healthz` and `/readyz` (bot/ops.py)."""
