"""Site inspections: scheduling, the inspector's queue, the checklist, photos and the result."""
