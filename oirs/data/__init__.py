"""Package data of the core: seed examples of the theme classifier."""
