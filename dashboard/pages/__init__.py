"""One module per page; each renders its page from the shared filters and the page's own URL keys."""
