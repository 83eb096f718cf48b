"""SPARQL for the public endpoint: safety checks, result formats, a worker pool with a time limit."""
