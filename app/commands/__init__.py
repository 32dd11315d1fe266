"""One module per `palsy` subcommand; each has `register(subparsers)`.

A module's `register` adds its parser and sets `handler=<function(args) -> int>`.
Heavy imports (torch, Qt) happen inside the handlers so `palsy --help` stays fast.
"""

# Order is the order in `palsy --help`.
COMMAND_MODULES: tuple[str, ...] = (
    "app.commands.info",
    "app.commands.gui",
    "app.commands.assess",
    "app.commands.demo",
    "app.commands.synth",
    "app.commands.records",
    "app.commands.train",
    "app.commands.evaluate",
    "app.commands.selftest",
)
