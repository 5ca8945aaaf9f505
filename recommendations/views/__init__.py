"""Pages of recommendations, by purpose: browse (list, search, export), detail (one recommendation
and the coalition's layer), imports (upload a file), insights (statistics, lobbying targets)."""
