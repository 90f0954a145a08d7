"""Conversations: the bot's (Rasa's tracker, outcomes) and the handoff to a person."""
