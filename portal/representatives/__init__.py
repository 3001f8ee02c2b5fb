"""Representatives of legal units: invited by the owner, accepted by the invited account."""
