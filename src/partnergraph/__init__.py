"""partnergraph: a cited knowledge graph of partnerships between Japanese local governments."""

__version__ = "0.1.0"
