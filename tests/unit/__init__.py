"""Unit tests: plain functions and estimators, no database, no Prefect, no browser; mirrors the packages."""
