"""Legal deadlines: the periodic sweep that applies breach actions."""
