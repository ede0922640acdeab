"""One handler per kind of object: how it is read, created, updated, deleted.

``registry.HANDLERS`` lists them in dependency order.
"""
