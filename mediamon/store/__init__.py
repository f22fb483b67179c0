"""The warehouse's storage jobs, one module each; `mediamon.warehouse.Warehouse` is the writer's
handle that uses them, and the read-only helpers live in `reads`.

    locking      opening the DuckDB file (one writer at a time) and the run lock
    migrations   schema versions: create or upgrade in place
    raw          stored raw documents: write, read back, recognise unchanged bytes
    load         a chunk of a run into the tables, each chunk its own transaction
    field_health storing the fill rates and drops computed in transforms/monitoring/field_health.py
    clusters     reading and storing syndication clusters computed in transforms/syndication/minhash.py
    parquet      the BI hand-off copies under parquet/
    reads        read-only queries: `mediamon sql`, `mediamon sources`
"""
