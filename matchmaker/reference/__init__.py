"""Reference data, its own layer: sectors, regions, the shared vocabulary and its labels.

Features import this package; it imports no feature. `taxonomy` holds the pure
`Taxonomy` / `Gazetteer` cores, `models` the database rows, `loaders` what reads
`data/` into the database and builds the pure objects from it; `vocabulary` the
`LabelledEnum` base with the enums no feature owns (cooperation modes, investment bands),
and `labels` the one way to show any enum member in the reader's language.

Why labels sit on the enums: a label written beside its member cannot drift from it, a
member without one fails at import, and each feature keeps owning its enums (signing's
kinds, matching's lead states) without the reference layer knowing any feature; only the
mechanism and the vocabulary shared by several features and the pure cores live here.
"""
