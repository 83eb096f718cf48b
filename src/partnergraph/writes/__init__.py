"""Writes: token checks, input models, RDF for them, and the validated, recorded commit.

One module per operation family is the entry point: :mod:`~partnergraph.writes.agreements`,
:mod:`~partnergraph.writes.organizations`, :mod:`~partnergraph.writes.imports` (CSV lists
and RDF files, read by :mod:`~partnergraph.writes.csv_table`,
:mod:`~partnergraph.writes.csv_rows` and :mod:`~partnergraph.writes.rdf_upload`) and
:func:`~partnergraph.writes.history.list_changes`. Each builds a
:class:`~partnergraph.writes.plan.Plan` after the store checks in
:mod:`~partnergraph.writes.checks`; :mod:`~partnergraph.writes.commit` validates it,
records it in the history and commits both at once.
"""
