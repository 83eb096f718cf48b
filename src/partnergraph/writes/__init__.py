"""Writes: token checks, input models, RDF for them, and the validated, recorded commit.

:mod:`~partnergraph.writes.service` is the entry point (one function per operation);
:mod:`~partnergraph.writes.importer` reads spreadsheets and RDF uploads for it.
"""
