"""The project: its settings, the URL map and the servers' entry points. It sits above every app and is
the only package that may import them all (see the layers in the README)."""
