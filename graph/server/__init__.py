"""The server layer: ``aikg serve``'s SPARQL endpoint and who may talk to it."""
