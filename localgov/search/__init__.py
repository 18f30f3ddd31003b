"""The search stage: text extracted from the built pages, the shared vocabulary, and the Whoosh and Pagefind indexes."""
