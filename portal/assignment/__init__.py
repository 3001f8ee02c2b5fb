"""Who works a case: claiming, assigning, the workload (services.py)."""
