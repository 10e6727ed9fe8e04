"""Pure rules: no Telegram, no SQL."""
