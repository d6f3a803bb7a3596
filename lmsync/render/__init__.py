"""Text renderings for people (plans, reports), shared by the CLI and the demo.

Kept out of ``lmsync.cli`` so the service layer's demo can print the same texts without
depending on the command-line shell above it.
"""
