"""The web layer, installed as ``partnergraph.web``: a FastAPI app over the library.

See :func:`partnergraph.web.app.create_app`.
"""
