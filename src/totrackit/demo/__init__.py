"""Sample data: ``totrackit seed`` fills a database with realistic runs (also used by bench/)."""
