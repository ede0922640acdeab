"""``superset-iac convert``: native Superset export bundles -> the asset tree, offline.

    bundle.py   read a ZIP or directory bundle safely (names, sizes, YAML bombs)
    server.py   the bundles as Superset's API shows them after importing them
    client.py   a read-only client answering export's reads from that
    run.py      convert = export run against that client
"""
