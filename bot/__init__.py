"""policybot: answers businesses' policy questions from a curated knowledge base."""

__version__ = "0.1.0"
