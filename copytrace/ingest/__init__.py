"""Reading a landing folder: find its files, read each into scraped copies and read errors.

Plain functions, no Prefect and no database: ``discover(landing)`` lists the files,
``read_file(path, landing, max_bytes)`` turns one into a :class:`FileResult`.
"""

from copytrace.ingest.discover import discover
from copytrace.ingest.read import SUPPORTED_SUFFIXES, read_file
from copytrace.ingest.records import FileResult, ReadError, ScrapedCopy

__all__ = ["SUPPORTED_SUFFIXES", "FileResult", "ReadError", "ScrapedCopy", "discover", "read_file"]
