from totrackit.cli.main import cli

cli()
