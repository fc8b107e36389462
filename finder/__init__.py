"""Infrastructure Funding Finder core: catalog, index, retrieval, eligibility and grounded answers."""

__version__ = "0.1.0"
