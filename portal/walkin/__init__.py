"""Walk-in filing: a clerk files for a citizen at the counter; the citizen claims it online."""
