"""Rasa custom actions of the OIRS assistant: thin adapters between conversation and admin API."""
