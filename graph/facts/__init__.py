"""The facts layer: the facts log kept at write time, curated reference data, creating, checking,
forgetting and describing what the store holds."""
