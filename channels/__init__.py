"""Rasa input/output channels of the residents, one module per channel (credentials.yml)."""
