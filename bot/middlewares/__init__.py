"""Update middlewares: one transaction per update, with the update claimed in it."""
