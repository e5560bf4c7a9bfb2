"""Reference data, its own layer: sectors, regions and their loaders.

Features import this package; it imports no feature. `taxonomy` holds the pure
`Taxonomy` / `Gazetteer` cores, `models` the database rows, `loaders` what reads
`data/` into the database and builds the pure objects from it.
"""
