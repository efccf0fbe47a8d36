"""Consultants and engineers in their team's staff group."""
