"""searcher: full-text search for news archives, on Whoosh."""
