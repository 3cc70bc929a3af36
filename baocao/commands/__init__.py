"""Sub-commands of ``baocao``, one module per feature.

Each module has ``register(subparsers)``, which adds its parser(s) and sets
``func(args, ctx) -> int`` as the default.
"""

from baocao.commands import calendar, db, deadlines, demo, invite, parse, plan, report, run, sandbox, status, tick

COMMAND_MODULES = [plan, calendar, deadlines, parse, status, report, invite, run, tick, demo, sandbox, db]
