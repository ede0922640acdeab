"""``superset-iac export``: the read side run backwards, live Superset -> YAML.

    run.py        read live (the handlers diff uses) -> select -> write
    select.py     what to export: seeds from the options, closed over refs()
    writer.py     per object: unchanged (untouched) / changed (in place) / new file
    content.py    a live spec -> the mapping for its file (defaults out, ${VAR}s,
                  fields that still agree kept as written)
    canonical.py  the one written form equality sees (sorted free-form JSON, ...)
    secrets.py    URI passwords -> ${<DATABASE>_PASSWORD}
    paths.py      stable file names from natural keys
    files.py      replacing one document of an existing file, the rest untouched
    yamlout.py    readable YAML, verified to read back exactly
"""
