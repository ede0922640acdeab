"""One handler per kind of object: how it is read, created, updated, deleted.

``registry.ORDER`` lists them in dependency order.
"""
