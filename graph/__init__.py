"""aikg: a knowledge graph of the AI industry."""
__version__ = "0.1.0"
