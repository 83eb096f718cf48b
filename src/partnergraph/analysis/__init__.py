"""Network analysis of the partnership graph with networkx."""
