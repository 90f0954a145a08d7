"""Masks for personal data in logs and exports, as the core and the admin import them; the rules
live in the shared `oirs_rules.masking` (the bot masks its logs with the same code)."""

from oirs_rules.masking import MaskingFilter, mask_text

__all__ = ["MaskingFilter", "mask_text"]
