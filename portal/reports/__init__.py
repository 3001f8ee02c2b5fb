"""Reports for supervisors: cases, people, times, deadlines and reasons, with CSV."""
