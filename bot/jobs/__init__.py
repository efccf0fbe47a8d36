"""Background work beside the bot, each a loop until ``stop`` (``bot.app`` starts them):

    housekeeping   closing resolved tickets nobody confirmed; forgetting old update claims
    sla            every pass: the watcher and the scheduled reports; the client page
    watcher        SLA warnings, breaches, reminders and auto-resolve (``desk.watch`` decides)
    reports        weekly and monthly reports, once per period, from 09:00 local time

Every schedule lives in the database, so a restart loses nothing and several
instances fire each piece of work once.
"""
