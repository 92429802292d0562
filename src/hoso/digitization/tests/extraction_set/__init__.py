"""A labelled evaluation set for metadata extraction (issue #8, point 4).

`labels.json` lists first pages of Party and state documents with the fields
an extractor should read from them; `generate.py` renders each with the
project's renderer and adds scan noise with a fixed seed, so only the
generator and the labels are committed.
"""
