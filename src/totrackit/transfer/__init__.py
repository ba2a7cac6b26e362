"""Moving data in and out: JSON Lines export and import of runs, backups and restores."""
