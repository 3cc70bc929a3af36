"""baocao: runs the reporting cycle of a Vietnamese provincial plan in chat.

The top-level package holds what every part shares: settings, the clock, paths, and the
command line. The domain lives in ``scheduler`` (plan, calendar, deadlines), ``storage``
(database) and ``bot`` (conversation).
"""

__version__ = "0.1.0"
