"""Widgets, Qt item models and delegates of the OmniDesk desktop: presentation only."""
