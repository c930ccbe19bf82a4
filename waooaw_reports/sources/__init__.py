"""Data sources: Prometheus and the platform database. They return plain data."""
