"""The Moodle side of lmsync: what a school's Moodle must provide, as data and as files.

``plugin_config/`` (top level of the repository, shipped inside the package too) holds the
requirements as data: the external service's functions, the web-service role's
capabilities with their probes, the custom profile fields and the activities. This package
loads that data (``requirements``) and turns it into installable files: the ``local_lmsync``
Moodle plugin that declares the service (``plugin``) and the role preset XML (``role_preset``).
It does no network I/O: lmsync doctor uses the loaders to check a live site.
"""
