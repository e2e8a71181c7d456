"""Sources in, ``Article`` values out: article files, web pages, URLs, and the seeds folder.

Imports only the shared modules at the root of ``index`` (models, passages, analyze, atomic).
"""
