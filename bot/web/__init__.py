"""The read-only client page: a client manager opens it by a signed, expiring
link (``signing``) and sees their company's tickets, each ticket's public
history and SLA times, and the reports to download (``app``)."""
