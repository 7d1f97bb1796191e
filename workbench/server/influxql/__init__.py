"""The InfluxQL engine: a pipeline of pure stages from query text to InfluxDB-shaped results.

``tokens.py`` (lexer) → ``parser.py`` and ``parser_show.py`` (``ast.py`` statements) →
``rewrite.py`` (catalog: ``schema.SchemaSource``; wildcards, tag vs field, time range via
``timerange.py``, function rules in ``functions.py``; produces ``ir.SelectQuery``) →
``translate.py`` (DataFusion SQL per measurement, expressions by ``sqlexpr.py``) → the
caller's ``run_sql`` → ``post.py`` (fill, mode, integral, transformations, series) →
``result.py`` (v1 series and the InfluxDB 3 table). ``show.py`` answers SHOW statements,
``engine.py`` is the entry point (:func:`engine.plan`, :func:`engine.execute`), ``v1_body.py``
renders v1 ``/query`` bodies and ``errors.py`` holds the error tree with HTTP statuses.
"""
