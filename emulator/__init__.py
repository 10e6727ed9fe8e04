"""A local Telegram Bot API server (strict, with a control API) and a terminal chat."""
