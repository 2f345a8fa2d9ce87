from rankings_etl.sandbox.cli import sandbox

sandbox(prog_name="rankings-etl sandbox")
