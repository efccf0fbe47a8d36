"""SLA reports: built from the database (``build``), drawn as HTML with inline
SVG charts (``html``, ``charts``) or written as an XLSX workbook (``xlsx``),
sent on schedule by ``bot.jobs.reports``)."""
