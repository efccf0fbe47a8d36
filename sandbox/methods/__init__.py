"""Bot API methods, one module per area; importing this package fills ``METHODS``."""

from sandbox.methods import chats, delivery, editing, messages, topics
from sandbox.methods.registry import METHODS, MethodInfo

__all__ = ["METHODS", "MethodInfo", "chats", "delivery", "editing", "messages", "topics"]
