"""The judging forms, one module per area: `assignment` (rounds, judges, bids, manual changes) and `scoring`."""
