"""Users in their private chat with the bot."""
