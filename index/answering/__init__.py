"""Questions in, answers and summaries out, as plain dataclasses over a loaded ``Coverage``.

Imports ``storage`` (the coverage) and the shared root modules; nothing imports it from below.
"""
