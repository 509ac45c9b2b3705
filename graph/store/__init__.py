"""The store layer: the embedded Oxigraph store, SPARQL servers as stores, cache files, RDF files."""
