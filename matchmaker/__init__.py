"""matchmaker: green-industry investment promotion platform."""
