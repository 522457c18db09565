"""Policy handbook generator: YAML policies to a handbook site, PDFs and desk cards."""

__version__ = "0.1.0"
