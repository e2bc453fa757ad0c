"""copytrace: trace where scraped copies of news articles come from."""

__version__ = "0.1.0"
