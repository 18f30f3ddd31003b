"""The load stage: read and validate every source file (config, councils, content, council files).

Nothing here renders a page or decides who provides what: loading returns frozen data (localgov/model.py)
and reports every problem with its file, line and field."""
