"""Histories brought from other trackers: Cronometer exports and the plain CSV template."""
