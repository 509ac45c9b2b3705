"""The views layer: HTML pages and drawings, exports and counts."""
