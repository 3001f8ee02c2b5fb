"""External opinions (dictámenes): asking another institution, its answer, and the clock."""
