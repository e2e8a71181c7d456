"""End-to-end tests: the real bot against simcord's simulated Discord."""
