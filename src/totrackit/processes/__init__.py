"""Process runs: create, read, complete or fail, delete and list."""
