"""Load benchmark of the UPR Coalition Hub (see README.md). Not part of the application."""
