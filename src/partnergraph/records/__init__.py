"""The graph's records as plain, JSON-ready dicts: organizations, agreements, forums, sources.

Each module answers one kind of record for the REST API: a list
(built once per store revision and filtered per call), one record by its key,
and the columns a CSV download flattens it into.
"""
