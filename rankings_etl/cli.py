"""The ``rankings-etl`` console script.

Subcommands are imported only when used, so ``rankings-etl sandbox`` starts without paying
for ``import dagster``.
"""

from __future__ import annotations

import importlib

import click

#: command name -> "module:attribute" of its click.Command
COMMANDS = {
    "sandbox": "rankings_etl.commands.sandbox:sandbox",
    "budget": "rankings_etl.commands.budget:budget",
    "rebuild": "rankings_etl.commands.rebuild:rebuild",
    "status": "rankings_etl.commands.status:status",
    "top": "rankings_etl.commands.top:top",
    "export": "rankings_etl.commands.export:export",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rankings_etl")
def main() -> None:
    """OpenRouter's daily model rankings, loaded by Dagster into DuckDB.

    Data sourced from OpenRouter (openrouter.ai/rankings), licensed under CC BY 4.0.
    """


if __name__ == "__main__":
    main()
