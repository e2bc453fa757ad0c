"""Prefect tasks: thin wrappers (I/O, retries, logging) over plain functions in ``copytrace``."""
