"""``python -m rankings_etl.sandbox``: the same command as ``rankings-etl sandbox``."""

from rankings_etl.commands.sandbox import sandbox

sandbox(prog_name="rankings-etl sandbox")
