"""Maintenance scripts kept with the repository (catalogue conversion and upkeep)."""
