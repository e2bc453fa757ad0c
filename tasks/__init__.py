"""Prefect tasks: thin wrappers (I/O, retries, logging) over plain functions in ``copytrace``."""

from copytrace.redact import install_log_redaction

# Every run log line (ours, Prefect's, a library's message quoted in an exception) leaves the
# process through these loggers: a URL's password is masked there whatever put it in the message.
install_log_redaction("prefect.flow_runs", "prefect.task_runs")
