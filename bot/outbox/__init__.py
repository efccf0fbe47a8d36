"""The outbox: outgoing messages written with the change, delivered within Telegram's limits."""
