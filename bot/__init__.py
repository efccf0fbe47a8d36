"""The application: the Telegram adapter and everything around it (ARCHITECTURE.md).

compose     the composition root: ``compose(settings) -> App``
app         running an ``App``: polling or webhook, outbox sender, jobs
cli         the ``supportdesk`` command line
handlers    aiogram routers: private chat, staff group, errors
services    what an update does, inside its unit of work
outbox      outgoing Telegram calls: written with the change, sent in order
jobs        background loops: watcher, reports, housekeeping
reports     SLA reports as HTML or XLSX
web         the read-only client page
updates, reader, polling, middlewares   how an update gets in, once
texts, keyboards, callbacks             what people read and press
"""
