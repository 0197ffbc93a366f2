"""Sanctions lists: parsing official files, versioned imports, diffs and refresh."""
