"""The registry: entities named in the documents, their names, passages and designations."""
