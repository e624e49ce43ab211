"""From corpus files to clean, split, metadata-carrying chunks."""
