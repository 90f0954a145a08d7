"""The theme classifier and the examples it learns from."""
