"""The FAQ: entries, Russian normalisation, retrieval and evaluation; plain
Python with numpy and pymorphy3, no database and no Telegram (ARCHITECTURE.md).

    base        ``KnowledgeBase``: load a directory or table of entries, ``suggest(text)``
    entry       the entry format (``knowledge/faq/README.md``)
    retrieval   the ranker (character n-grams + BM25 over lemmas)
    evaluate    top-k and answered-precision figures on a labelled set
    importer, writer, gaps, tuning   the ``supportdesk faq`` commands' work
"""
