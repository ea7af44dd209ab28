"""Hub wiring for the Digital Civil Service Academy: data layout, accounts, the `academy` CLI."""
