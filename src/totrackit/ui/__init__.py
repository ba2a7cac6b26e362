"""Serving the built web UI (the React app in the repository's ``ui/`` folder) at ``/``."""
