"""Rasa runtime pieces of our own that are neither channels nor NLU components."""
