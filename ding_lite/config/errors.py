"""The one exception type for every user-facing configuration problem."""


class ConfigError(ValueError):
    """A bad config key, type or value; the message is one sentence naming the dotted key."""
