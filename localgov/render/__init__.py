"""The render stage: content sections once per source, then Jinja layouts per page, as bytes."""
