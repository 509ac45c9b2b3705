"""The names layer: deterministic IRIs, and resolving a name to the entity it labels."""
