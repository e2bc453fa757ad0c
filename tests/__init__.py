"""copytrace tests: unit tests of plain functions and estimators, integration tests with Prefect and both databases."""
