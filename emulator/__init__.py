"""A local Telegram Bot API server (strict, with a control API and an optional
fault-injecting mode: emulator/faults.py, emulator/poison.py) and a terminal chat."""
