"""The command-line commands, one module each. Only the CLI imports this package."""
