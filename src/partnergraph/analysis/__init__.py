"""Network analysis of the partnership graph with networkx.

Every function reads the graph from a :class:`~partnergraph.store.GraphStore`
(never from a copy kept by hand), takes a :class:`~.scope.Filters` (relation
types, a date, an area, isolated bodies or not) and caches its answer until
the store changes.

* :mod:`.scope`: the filters and Japan's eight regions;
* :mod:`.projection`: the organization multigraph, one edge per relation;
* :mod:`.measures`: degree, betweenness, closeness, PageRank, k-core;
* :mod:`.structure`: Louvain communities, bridges, articulation points, layer overlap;
* :mod:`.paths`: shortest paths explained by relations, ego networks;
* :mod:`.suggest`: partner suggestions with reasons and evidence;
* :mod:`.resilience`: disaster-pact distances, ``no-pact`` / ``all-near`` flags, candidates;
* :mod:`.export`: GraphML and GEXF;
* :mod:`.cli`: ``partnergraph analyze ...``.

Nothing here imports networkx until a submodule is used, so the CLI starts fast.
"""
