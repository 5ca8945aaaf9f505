"""Pages of recommendations, by purpose: browse (list, search, export), detail (one recommendation
and the coalition's own record), imports (upload a file), insights (statistics, lobbying targets)."""
