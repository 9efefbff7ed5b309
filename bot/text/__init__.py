"""Text in, text out, for every other layer: normalization for matching and redaction for privacy."""
