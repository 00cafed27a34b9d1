"""One module per part of the API, each with its `routes` list; app.py mounts them all."""
