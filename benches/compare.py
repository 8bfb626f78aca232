"""Readers cttui is compared with (driven by benches/compare.rs; one reader per process).

usage: compare.py READER PATH
  polars-ndjson    polars scan_ndjson with a 9-field schema, times parsed, sorted by time
  duckdb-ndjson    DuckDB read_json (newline-delimited), sorted by time
  duckdb-records   DuckDB read_json on a {"Records":[...]} file, unnested, sorted by time
Prints the number of rows read.
"""
import sys


def polars_ndjson(path):
    import polars as pl

    schema = {
        "eventTime": pl.String,
        "eventName": pl.String,
        "eventSource": pl.String,
        "awsRegion": pl.String,
        "sourceIPAddress": pl.String,
        "userAgent": pl.String,
        "eventID": pl.String,
        "errorCode": pl.String,
        "recipientAccountId": pl.String,
    }
    df = (
        pl.scan_ndjson(path, schema=schema)
        .with_columns(pl.col("eventTime").str.to_datetime(strict=False, time_zone="UTC"))
        .sort("eventTime")
        .collect()
    )
    return df.height


def duckdb_ndjson(path):
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    q = (
        "SELECT count(*) FROM (SELECT * FROM read_json(?, format='newline_delimited', "
        "maximum_object_size=104857600) ORDER BY eventTime)"
    )
    return con.execute(q, [path]).fetchone()[0]


def duckdb_records(path):
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    q = (
        "SELECT count(*) FROM (SELECT unnest(Records, recursive := true) FROM "
        "read_json(?, maximum_object_size=4294967295))"
    )
    return con.execute(q, [path]).fetchone()[0]


READERS = {
    "polars-ndjson": polars_ndjson,
    "duckdb-ndjson": duckdb_ndjson,
    "duckdb-records": duckdb_records,
}

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in READERS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    print(READERS[sys.argv[1]](sys.argv[2]))
