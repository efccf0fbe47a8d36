"""Update middlewares: one transaction per update, with the update id recorded in it."""
