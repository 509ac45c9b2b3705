"""The SPARQL layer: query results, the protocol's dataset rules, what a user's query may do, query files."""
