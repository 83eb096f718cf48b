"""SPARQL for the public endpoint: safety checks, result formats, a time-limited worker pool."""
