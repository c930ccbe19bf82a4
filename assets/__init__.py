"""The Dagster code location of waooaw-reports, loaded by path through workspace.yaml."""
