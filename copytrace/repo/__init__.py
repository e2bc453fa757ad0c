"""The store's tables, read and written over one Session, a module a table family. Nothing here
commits: the caller owns the unit of work."""
