"""Sub-commands of ``baocao``, one module per feature.

Each module has ``register(subparsers)``, which adds its parser(s) and sets
``func(args, ctx) -> int`` as the default.

Every command's module is imported to build the parser, whatever the command run: at the top a
module imports only the standard library and ``baocao.context``/``_common``; what its command
needs (the plan, the database, the channels, the renderers) it imports in its functions, so that
``baocao parse`` does not pay for SQLAlchemy (tests/baocao/test_cli_startup.py checks this).
"""

from baocao.commands import calendar, db, deadlines, demo, evidence, invite, parse, plan, report, run, sandbox, status, tick

COMMAND_MODULES = [plan, calendar, deadlines, parse, status, report, evidence, invite, run, tick, demo, sandbox, db]
