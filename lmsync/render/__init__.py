"""How lmsync shows things: view models and the one set of renderers (issue 12, "Views once").

``views`` is the vocabulary (tables, fields, notes, documents); ``formats`` renders any view as
text, JSON or CSV (every data command's ``--format``). One adapter module per command family
turns a service's result into a view: ``match``, ``health`` (health, queue list), ``pair``,
``meetings``, ``doctor``, ``sync`` (plans, apply reports), ``grades``; ``report`` writes the
programme report (HTML, and its CSV files through ``formats``); ``demo`` hands the texts to
``lmsync demo``. Kept out of ``lmsync.cli`` so a service that prints (the demo, the cycle's
report) takes renderers without depending on the command-line shell above it.
"""
