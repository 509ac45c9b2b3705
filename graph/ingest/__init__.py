"""The ingestion layer: reading documents, tokens and parses, known names, linking, extraction, writing."""
