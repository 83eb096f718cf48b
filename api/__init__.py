"""The web layer: a FastAPI app over the partnergraph library (see :func:`api.app.create_app`)."""
