#!/usr/bin/env python3
"""The sample lakehouse: a DuckDB file, or the local Trino's `hive_prod`.

    .venv/bin/python devstack/lakehouse.py [--path FILE] [--force] [--json]
    .venv/bin/python devstack/lakehouse.py --trino 127.0.0.1:PORT [--force] [--json]

Builds, deterministically (fixed seed, fixed dates), the tables the
production lakehouse has in Trino's Iceberg catalog `hive_prod`:

    option_ticks_db.bronze_option_ticks   option market ticks, with PII
                                          (account_id, trader_id, trader_email)
                                          and ~1% exact duplicate rows, as a
                                          raw Bronze table has
    logs_db.app_logs                      application logs, JSON payloads with
                                          nested fields and a user_email
    media_db.image_metadata               media object metadata

In DuckDB the catalog is named after the file (`lakehouse` for
lakehouse.duckdb), so `lakehouse.option_ticks_db.bronze_option_ticks` here is
`hive_prod.option_ticks_db.bronze_option_ticks` in Trino.

One builder, two targets: the same generator (fixed seed) gives the same
rows to the DuckDB file (through CSV and COPY) and to Trino (multi-row
INSERTs of TRINO_ROWS_PER_INSERT rows, as the Iceberg catalog `hive_prod` of
devstack/trino.py; tables carry the builder's hash as their comment and are
reloaded only when it differs).

The file is rebuilt only when missing or when this builder changed (a hash of
this source and the DuckDB version is stored beside it in FILE.build.json).
A rebuild writes a new file and renames it over the old one, so a reader
holding the old file open is not disturbed. Runs in the tool's venv (needs
`duckdb`, the same version as Superset's venv).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

# Run as a script, this folder is first on sys.path, and devstack/trino.py
# would hide the `trino` client package.
if sys.path and Path(sys.path[0] or ".").resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import duckdb  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / ".lakehouse" / "lakehouse.duckdb"
SEED = 20250602
# Five consecutive trading days (Monday to Friday).
TRADING_DAYS = [date(2025, 6, 2) + timedelta(days=i) for i in range(5)]

SYMBOLS = {  # underlying, its opening price on the first day, daily volatility
    "AAPL": (203.0, 0.012), "MSFT": (462.0, 0.010), "NVDA": (137.0, 0.025),
    "TSLA": (342.0, 0.030), "SPY": (593.0, 0.007),
}
EXCHANGES = ["CBOE", "ISE", "PHLX", "BOX", "MIAX", "NOM"]
TICKS_PER_SYMBOL_DAY = 120
DUPLICATE_RATE = 0.01
TRADERS = [  # trader_id, e-mail, the accounts the trader books to
    ("TRD-0007", "alice.martin@trading.example.com"),
    ("TRD-0013", "bob.nguyen@trading.example.com"),
    ("TRD-0021", "carla.rossi@trading.example.com"),
    ("TRD-0034", "dmitri.ivanov@trading.example.com"),
    ("TRD-0042", "erin.okafor@trading.example.com"),
    ("TRD-0055", "farid.haddad@trading.example.com"),
    ("TRD-0068", "grace.kim@trading.example.com"),
    ("TRD-0079", "hugo.silva@trading.example.com"),
]
ACCOUNTS_PER_TRADER = 3

SERVICES = ["order-router", "risk-engine", "market-data", "auth-service", "settlement"]
LEVELS = [("INFO", 0.78), ("WARN", 0.12), ("ERROR", 0.05), ("DEBUG", 0.05)]
LOG_ROWS = 1500

IMAGE_ROWS = 400
MIME_TYPES = [("image/jpeg", "jpg"), ("image/png", "png"), ("image/webp", "webp")]
TAGS = ["chart", "logo", "screenshot", "document", "avatar", "report"]
SIZES = [(640, 480), (800, 600), (1024, 768), (1280, 720), (1920, 1080), (256, 256), (512, 512)]

# Each table once, for both targets: (column, DuckDB type, Trino type).
TABLES: dict[str, list[tuple[str, str, str]]] = {
    "option_ticks_db.bronze_option_ticks": [
        ("timestamp", "TIMESTAMP", "timestamp(6)"), ("symbol", "VARCHAR", "varchar"),
        ("exchange", "VARCHAR", "varchar"),
        ("option_type", "VARCHAR", "varchar"),  # CALL | PUT
        ("strike", "DOUBLE", "double"), ("expiry", "DATE", "date"),
        ("last_price", "DOUBLE", "double"), ("volume", "BIGINT", "bigint"),
        # PII
        ("account_id", "VARCHAR", "varchar"), ("trader_id", "VARCHAR", "varchar"),
        ("trader_email", "VARCHAR", "varchar"),
    ],
    "logs_db.app_logs": [
        ("event_time", "TIMESTAMP", "timestamp(6)"), ("level", "VARCHAR", "varchar"),
        ("service", "VARCHAR", "varchar"),
        ("payload", "VARCHAR", "varchar"),  # JSON; $.user_email is PII
    ],
    "media_db.image_metadata": [
        ("image_id", "VARCHAR", "varchar"), ("s3_path", "VARCHAR", "varchar"),
        ("file_size", "BIGINT", "bigint"), ("mime_type", "VARCHAR", "varchar"),
        ("upload_time", "TIMESTAMP", "timestamp(6)"), ("tag", "VARCHAR", "varchar"),
        ("width", "INTEGER", "integer"), ("height", "INTEGER", "integer"),
        ("checksum", "VARCHAR", "varchar"),
    ],
}


def create_table_sql(table: str, target: str, prefix: str = "") -> str:
    """``CREATE TABLE`` for ``target`` (``duckdb`` or ``trino``); every column NOT NULL."""
    types = [(name, duck if target == "duckdb" else trino) for name, duck, trino in TABLES[table]]
    columns = ",\n    ".join(f'"{name}" {kind} NOT NULL' for name, kind in types)
    return f"CREATE TABLE {prefix}{table} (\n    {columns}\n)"


def rows_of(rng: random.Random) -> dict[str, list[tuple]]:
    """Every table's rows, drawn in a fixed order from one generator: the same
    rows whichever target they go to."""
    return {"option_ticks_db.bronze_option_ticks": option_ticks(rng),
            "logs_db.app_logs": app_logs(rng),
            "media_db.image_metadata": image_metadata(rng)}


@dataclass
class BuildInfo:
    path: str
    built: bool
    builder_hash: str
    duckdb_version: str
    rows: dict[str, int]
    seconds: float

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def builder_hash() -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(duckdb.__version__.encode())
    return digest.hexdigest()


def info_path(path: Path) -> Path:
    return path.with_name(path.name + ".build.json")


# --------------------------------------------------------------------------
# data


def _accounts() -> list[tuple[str, str, str]]:
    """(account_id, trader_id, trader_email), each trader with a few accounts."""
    rows = []
    for index, (trader_id, email) in enumerate(TRADERS):
        for n in range(ACCOUNTS_PER_TRADER):
            rows.append((f"ACC-{10000 + index * 1000 + n * 37:08d}", trader_id, email))
    return rows


def _expiries(day: date) -> list[date]:
    """The next three monthly expiries (third Friday) after `day`."""
    result = []
    year, month = day.year, day.month
    while len(result) < 3:
        first = date(year, month, 1)
        third_friday = first + timedelta(days=(4 - first.weekday()) % 7 + 14)
        if third_friday > day:
            result.append(third_friday)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return result


def option_ticks(rng: random.Random) -> list[tuple]:
    accounts = _accounts()
    rows = []
    for symbol, (price, vol) in SYMBOLS.items():
        spot = price
        for day in TRADING_DAYS:
            expiries = _expiries(day)
            open_at = datetime.combine(day, datetime.min.time()) + timedelta(hours=9, minutes=30)
            seconds = sorted(rng.uniform(0, 6.5 * 3600) for _ in range(TICKS_PER_SYMBOL_DAY))
            for offset in seconds:
                spot *= 1 + rng.gauss(0, vol / 8)
                option_type = rng.choice(["CALL", "PUT"])
                step = 5.0 if spot > 100 else 1.0
                strike = round(round(spot * rng.uniform(0.9, 1.1) / step) * step, 2)
                expiry = rng.choice(expiries)
                days_left = (expiry - day).days
                intrinsic = max(0.0, (spot - strike) if option_type == "CALL" else (strike - spot))
                time_value = spot * vol * (days_left / 365) ** 0.5 * rng.uniform(2.0, 4.0)
                last_price = round(max(0.01, intrinsic + time_value), 2)
                volume = int(rng.choice([1, 1, 2, 5, 10, 10, 20, 50, 100]) * rng.randint(1, 10))
                account_id, trader_id, email = rng.choice(accounts)
                ts = (open_at + timedelta(seconds=offset)).replace(microsecond=(int(offset * 1000) % 1000) * 1000)
                rows.append((ts, symbol, rng.choice(EXCHANGES), option_type, strike, expiry,
                             last_price, volume, account_id, trader_id, email))
    # A raw feed delivers some ticks twice: the Silver layer deduplicates.
    duplicates = [rows[i] for i in sorted(rng.sample(range(len(rows)), int(len(rows) * DUPLICATE_RATE)))]
    rows.extend(duplicates)
    rows.sort(key=lambda row: (row[0], row[1]))
    return rows


def app_logs(rng: random.Random) -> list[tuple]:
    emails = [email for _, email in TRADERS] + ["ops.bot@trading.example.com"]
    rows = []
    start = datetime.combine(TRADING_DAYS[0], datetime.min.time())
    span = (len(TRADING_DAYS)) * 24 * 3600
    for n in range(LOG_ROWS):
        event_time = start + timedelta(seconds=rng.uniform(0, span))
        event_time = event_time.replace(microsecond=(n * 7919) % 1_000_000)
        level = rng.choices([lvl for lvl, _ in LEVELS], [w for _, w in LEVELS])[0]
        service = rng.choice(SERVICES)
        status = 200 if level in ("INFO", "DEBUG") else (429 if level == "WARN" else rng.choice([500, 502, 503]))
        method, path = rng.choice([("POST", "/orders"), ("GET", "/positions"), ("GET", "/quotes"),
                                   ("POST", "/login"), ("DELETE", "/orders")])
        payload = {
            "request_id": f"req-{rng.getrandbits(48):012x}",
            "user_email": rng.choice(emails),
            "message": f"{method} {path} -> {status}",
            "http": {"method": method, "path": path, "status": status,
                     "latency_ms": round(rng.lognormvariate(3.0, 0.8), 1)},
            "context": {"host": f"{service}-{rng.randint(1, 3)}", "region": rng.choice(["eu-west-1", "us-east-1"]),
                        "symbol": rng.choice(list(SYMBOLS)) if service in ("order-router", "market-data") else None},
        }
        if level == "ERROR":
            payload["error"] = {"type": rng.choice(["Timeout", "UpstreamUnavailable", "ValidationError"]),
                                "retryable": rng.random() < 0.5}
        rows.append((event_time, level, service, json.dumps(payload, sort_keys=True)))
    rows.sort(key=lambda row: row[0])
    return rows


def image_metadata(rng: random.Random) -> list[tuple]:
    rows = []
    start = datetime.combine(TRADING_DAYS[0], datetime.min.time())
    for n in range(IMAGE_ROWS):
        image_id = f"img-{n + 1:06d}"
        mime, ext = rng.choice(MIME_TYPES)
        width, height = rng.choice(SIZES)
        upload = start + timedelta(seconds=rng.uniform(0, len(TRADING_DAYS) * 24 * 3600))
        upload = upload.replace(microsecond=0)
        bytes_per_px = {"jpg": 0.35, "png": 1.6, "webp": 0.25}[ext]
        size = int(width * height * bytes_per_px * rng.uniform(0.6, 1.4))
        tag = rng.choice(TAGS)
        path = f"s3://lakehouse/media/{upload:%Y/%m/%d}/{tag}/{image_id}.{ext}"
        checksum = hashlib.sha256(f"{image_id}:{size}".encode()).hexdigest()
        rows.append((image_id, path, size, mime, upload, tag, width, height, checksum))
    return rows


# --------------------------------------------------------------------------
# build


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple], scratch: Path) -> None:
    # Through a CSV file: executemany is about 50 times slower for these sizes.
    csv_path = scratch.with_name(scratch.name + ".csv")
    try:
        with open(csv_path, "w", newline="") as handle:
            writer = csv.writer(handle)
            for row in rows:
                writer.writerow([value.isoformat() if isinstance(value, (date, datetime)) else value
                                 for value in row])
        con.execute(f"COPY {table} FROM '{csv_path}' (FORMAT csv, HEADER false)")
    finally:
        csv_path.unlink(missing_ok=True)


def _count_rows(path: Path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in TABLES
        }


def is_current(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        return json.loads(info_path(path).read_text()).get("builder_hash") == builder_hash()
    except (OSError, ValueError):
        return False


def build(path: Path | str = DEFAULT_PATH, force: bool = False) -> BuildInfo:
    """Build the lakehouse at `path` unless it is already current."""
    path = Path(path).resolve()
    started = time.monotonic()
    if not force and is_current(path):
        stored = json.loads(info_path(path).read_text())
        return BuildInfo(str(path), False, stored["builder_hash"], stored["duckdb_version"],
                         stored["rows"], round(time.monotonic() - started, 2))

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.building.duckdb")
    tmp.unlink(missing_ok=True)
    rng = random.Random(SEED)
    try:
        with duckdb.connect(str(tmp)) as con:
            for table, rows in rows_of(rng).items():
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {table.split('.')[0]}")
                con.execute(create_table_sql(table, "duckdb"))
                _insert(con, table, rows, tmp)
            con.execute("CHECKPOINT")
        rows = _count_rows(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
    info = BuildInfo(str(path), True, builder_hash(), duckdb.__version__, rows,
                     round(time.monotonic() - started, 2))
    stored = {key: value for key, value in info.to_dict().items() if key not in ("built", "seconds", "path")}
    info_path(path).write_text(json.dumps(stored, indent=2) + "\n")
    return info


# --------------------------------------------------------------------------
# the Trino target (devstack/trino.py): the same rows in catalog hive_prod

TRINO_CATALOG = "hive_prod"
# Each INSERT is one Iceberg commit (a snapshot and its files): few, large ones.
TRINO_ROWS_PER_INSERT = 2000


def trino_literal(value: object) -> str:
    if isinstance(value, datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ', timespec='microseconds')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, float):  # 1.5 is a DECIMAL in Trino, 1.5E0 a DOUBLE
        text = repr(value)
        return text if "e" in text else f"{text}E0"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _trino_marker() -> str:
    return f"devstack/lakehouse.py {builder_hash()}"


def build_trino(host: str, port: int, user: str = "superset_iac", catalog: str = TRINO_CATALOG,
                force: bool = False) -> BuildInfo:
    """Load the tables into Trino unless each already carries this builder's
    hash as its comment; a stale or partial load is replaced table by table."""
    import trino.dbapi  # the tool's venv has the client

    started = time.monotonic()
    cursor = trino.dbapi.connect(host=host, port=port, user=user, catalog=catalog).cursor()

    def run(sql: str) -> list:
        cursor.execute(sql)
        return cursor.fetchall()

    marker = _trino_marker()
    current = {f"{schema}.{name}" for schema, name, comment in run(
        "SELECT schema_name, table_name, comment FROM system.metadata.table_comments "
        f"WHERE catalog_name = '{catalog}'") if comment == marker}
    built = force or set(TABLES) - current
    if built:
        for table, rows in rows_of(random.Random(SEED)).items():
            if table in current and not force:
                continue
            run(f"CREATE SCHEMA IF NOT EXISTS {catalog}.{table.split('.')[0]}")
            run(f"DROP TABLE IF EXISTS {catalog}.{table}")
            run(create_table_sql(table, "trino", f"{catalog}."))
            for at in range(0, len(rows), TRINO_ROWS_PER_INSERT):
                values = ",\n".join("(" + ", ".join(trino_literal(v) for v in row) + ")"
                                     for row in rows[at:at + TRINO_ROWS_PER_INSERT])
                run(f"INSERT INTO {catalog}.{table} VALUES\n{values}")
            run(f"COMMENT ON TABLE {catalog}.{table} IS '{marker}'")
    counts = {table: run(f"SELECT count(*) FROM {catalog}.{table}")[0][0] for table in TABLES}
    return BuildInfo(f"trino://{user}@{host}:{port}/{catalog}", bool(built), builder_hash(),
                     duckdb.__version__, counts, round(time.monotonic() - started, 2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="devstack/lakehouse.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", type=Path,
                        default=Path(os.environ.get("LAKEHOUSE_PATH") or DEFAULT_PATH),
                        help="the DuckDB file (default $LAKEHOUSE_PATH or .lakehouse/lakehouse.duckdb)")
    parser.add_argument("--trino", metavar="HOST:PORT",
                        help="load a Trino (devstack/trino.py) instead of the DuckDB file")
    parser.add_argument("--force", action="store_true", help="rebuild even if current")
    parser.add_argument("--json", action="store_true", help="print the build info as JSON")
    args = parser.parse_args(argv)
    if args.trino:
        host, _, port = args.trino.rpartition(":")
        info = build_trino(host or "127.0.0.1", int(port), force=args.force)
    else:
        info = build(args.path, force=args.force)
    if args.json:
        print(json.dumps(info.to_dict(), indent=2))
    else:
        what = "built" if info.built else "up to date"
        rows = ", ".join(f"{table} {count}" for table, count in info.rows.items())
        print(f"lakehouse {what}: {info.path} ({rows}; {info.seconds}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
