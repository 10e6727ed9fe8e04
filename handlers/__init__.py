"""Telegram glue, one module (or package) per feature; each has a register(registry)."""
