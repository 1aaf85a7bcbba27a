"""Where services attend the same incidents: links between incident records, and the joint
incidents they make (issue 15). One computation that DuckDB runs embedded and Spark at scale.

**The linkage contract.** Two records are *linked* when their services differ, their
``received_at`` times are at most W minutes apart and their great-circle distance is at most
D metres, by the haversine formula on a sphere of radius 6,371,008.8 m (the mean Earth
radius). Records of the same service are never linked directly. A *joint incident* is a
connected component of two or more records under those links. Records without both
coordinates (*unlocated*) are counted and never linked.

**The haversine, exactly.** In float64, with K = π/180 as the double 0.017453292519943295::

    φ1 = lat1·K   φ2 = lat2·K   λ1 = lon1·K   λ2 = lon2·K
    s = sin((φ2 − φ1)/2)        c = sin((λ2 − λ1)/2)
    a = s·s + (cos φ1 · cos φ2)·(c·c)
    d = 2·R·asin(min(1, √a))    linked when d ≤ D

`haversine_m` is the same formula in Python, to the last bit: the SQL computes exactly these
operations in this order (IEEE arithmetic; the engines' sin, cos, asin and sqrt), so a pair
exactly D apart by `haversine_m` is linked (≤) and one a float's width further is not. Times
are compared as whole microseconds: W minutes is ⌊W × 60,000,000⌋ µs, exactly.

**The computation.** `links_sql` is one SQL text (DuckDB's dialect) that finds every linked
pair; `to_spark_sql` translates that same text for Spark SQL with SQLGlot. Candidate pairs come
from a bucketed equi-join, never a cross join of the records: each record falls in a time
bucket of W and a grid cell of at least D in both directions (latitude bands of D/R radians;
longitude columns wide enough at the data's highest latitude, wrapping at ±180°), and looks
into its own and the neighbouring buckets and cells (the 14 of the 27 neighbour offsets that
are "forward", so that each pair is met once). The exact time and haversine test follows in
the same SQL. The links come back to Python, where the joint incidents are the connected
components of the links (`scipy.sparse.csgraph.connected_components`) and the figures are
counted with numpy (`summarise`).

Pure: no Django. Spark is imported only when the Spark engine is used.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import sqlglot
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from accord.analytics.records import Incidents

DEFAULT_WINDOW_MINUTES = 20.0
DEFAULT_DISTANCE_M = 250.0
#: The mean Earth radius (IUGG), metres.
EARTH_RADIUS_M = 6_371_008.8
#: π/180 as a double: what math.radians multiplies by.
DEGREES = math.pi / 180.0
#: The services whose joint incidents `tri_service` counts.
THREE_SERVICES = ("ambulance", "fire", "police")
#: Cells and bands are made this much larger than the bound they must respect, so that no
#: rounding in placing a record puts a linked pair two cells apart.
_MARGIN = 1e-6
_MICROSECONDS_A_MINUTE = 60_000_000
_MICROSECONDS_AN_HOUR = 3_600_000_000


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle distance in metres, computed exactly as the engines compute it."""
    phi1, phi2 = lat1 * DEGREES, lat2 * DEGREES
    s = math.sin((phi2 - phi1) / 2.0)
    c = math.sin((lon2 * DEGREES - lon1 * DEGREES) / 2.0)
    a = s * s + (math.cos(phi1) * math.cos(phi2)) * (c * c)
    return 2.0 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def window_microseconds(window_minutes: float) -> int:
    """W minutes as whole microseconds, rounded down: |Δt| ≤ W exactly, in integers."""
    return math.floor(Fraction(window_minutes) * _MICROSECONDS_A_MINUTE)


def check_parameters(window_minutes: float, distance_m: float) -> None:
    for name, value in (("window", window_minutes), ("distance", distance_m)):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"the {name} must be a number of at least 0, not {value!r}")


# --------------------------------------------------------------------------------------------
# The grid and the SQL


@dataclass(frozen=True)
class Grid:
    """The buckets and cells of the candidate join, worked out from W, D and the data."""

    #: Time: whole microseconds since the earliest record, in buckets of `bucket_us`.
    origin_us: int
    window_us: int
    bucket_us: int
    #: Space: latitude bands `band_deg` high; `columns` longitude columns 360/columns wide.
    band_deg: float
    columns: int
    distance_m: float
    #: The neighbour offsets (time, band, column) each record looks into, each pair once.
    offsets: tuple[tuple[int, int, int], ...]

    @property
    def column_deg(self) -> float:
        return 360.0 / self.columns


def grid_for(
    window_minutes: float, distance_m: float, *, earliest_us: int, highest_latitude: float
) -> Grid:
    """The grid for these thresholds over data whose earliest time and highest |latitude|
    are given: bands and columns at least D across wherever a record can be."""
    check_parameters(window_minutes, distance_m)
    window_us = window_microseconds(window_minutes)
    angle = distance_m / EARTH_RADIUS_M  # radians: |Δφ| ≤ d/R for any two points d apart
    band_deg = max(math.degrees(angle) * (1 + _MARGIN), 1e-9)
    # hav(Δλ)·cos φ1·cos φ2 ≤ hav(d/R), so sin(Δλ/2) ≤ sin(d/2R) / cos φmax.
    columns = 1
    cos_highest = math.cos(math.radians(min(abs(highest_latitude), 90.0)))
    if angle / 2 < math.pi / 2 and cos_highest > 0:
        bound = math.sin(angle / 2) / cos_highest
        if bound < 1:
            width = math.degrees(2 * math.asin(bound)) * (1 + _MARGIN)
            columns = math.floor(360.0 / width) if width > 0 else 1 << 40
            # Fewer than three columns would make a column its own neighbour both ways.
            columns = min(columns, 1 << 40) if columns >= 3 else 1
    column_steps = (-1, 0, 1) if columns >= 3 else (0,)
    offsets = tuple(
        (dt, dy, dx)
        for dt in (-1, 0, 1)
        for dy in (-1, 0, 1)
        for dx in column_steps
        if (dt, dy, dx) >= (0, 0, 0)
    )
    return Grid(
        origin_us=earliest_us,
        window_us=window_us,
        bucket_us=max(window_us, 1),
        band_deg=band_deg,
        columns=columns,
        distance_m=float(distance_m),
        offsets=offsets,
    )


def _double(value: float) -> str:
    """A float64 as a literal both dialects read as that very double (DuckDB and Spark read a
    literal with an exponent as DOUBLE; seventeen digits round-trip)."""
    return f"{value:.16e}"


def links_sql(grid: Grid) -> str:
    """The one SQL text (DuckDB's dialect) that lists every linked pair of the table
    ``records`` (rid BIGINT, svc INTEGER, t BIGINT microseconds, lat DOUBLE, lon DOUBLE): a
    row (a, b) for each, once."""
    values = ",\n    ".join(
        f"({dt}, {dy}, {dx}, {int((dt, dy, dx) != (0, 0, 0))})" for dt, dy, dx in grid.offsets
    )
    k = _double(DEGREES)
    columns = grid.columns
    # Only numbers this module formats go into the text: no input reaches it.
    return f"""
WITH neighbours(dt, dy, dx, forward) AS (
  VALUES
    {values}
),
located AS (
  SELECT
    rid, svc, t,
    lat * {k} AS phi,
    lon * {k} AS lam,
    COS(lat * {k}) AS cos_phi,
    (t - {grid.origin_us}) // {grid.bucket_us} AS bucket,
    CAST((lat + {_double(90.0)}) / {_double(grid.band_deg)} AS BIGINT) AS band,
    CAST((lon + {_double(180.0)}) / {_double(grid.column_deg)} AS BIGINT) % {columns} AS col
  FROM records
  WHERE lat IS NOT NULL AND lon IS NOT NULL
),
probes AS (
  SELECT
    l.rid, l.svc, l.t, l.phi, l.lam, l.cos_phi, n.forward,
    l.bucket + n.dt AS bucket,
    l.band + n.dy AS band,
    (l.col + n.dx + {columns}) % {columns} AS col
  FROM located AS l
  CROSS JOIN neighbours AS n
),
candidates AS (
  SELECT
    p.rid AS a,
    q.rid AS b,
    SIN((q.phi - p.phi) / {_double(2.0)}) AS s,
    SIN((q.lam - p.lam) / {_double(2.0)}) AS c,
    p.cos_phi * q.cos_phi AS cc
  FROM probes AS p
  JOIN located AS q
    ON q.bucket = p.bucket AND q.band = p.band AND q.col = p.col
  WHERE p.svc <> q.svc
    AND (p.forward = 1 OR p.rid < q.rid)
    AND ABS(q.t - p.t) <= {grid.window_us}
)
SELECT a, b
FROM candidates
WHERE {_double(2.0 * EARTH_RADIUS_M)}
      * ASIN(LEAST({_double(1.0)}, SQRT(s * s + cc * (c * c)))) <= {_double(grid.distance_m)}
"""  # noqa: S608


def to_spark_sql(sql: str) -> str:
    """The same SQL in Spark's dialect (SQLGlot)."""
    translated: str = sqlglot.transpile(sql, read="duckdb", write="spark")[0]
    return translated


# --------------------------------------------------------------------------------------------
# Engines


class Engine(Protocol):
    """Runs the links SQL over the records table; returns the linked pairs (a, b)."""

    name: str

    def links(
        self, records: pa.Table, sql: str
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...


class DuckDBEngine:
    """DuckDB, embedded: scans the records in place (Arrow, no copy)."""

    name = "duckdb"

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads

    def links(
        self, records: pa.Table, sql: str
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        import duckdb

        connection = duckdb.connect(":memory:")
        try:
            if self.threads:
                connection.execute(f"SET threads = {int(self.threads)}")
            connection.register("records", records)
            found = connection.execute(sql).fetchnumpy()
        finally:
            connection.close()
        return _pairs(found["a"], found["b"])


class SparkEngine:
    """Apache Spark: local mode by default, a cluster through its master URL. The records
    reach Spark as Parquet in a working folder when the master is local, and through the
    driver as Arrow batches otherwise; the SQL is `links_sql` translated by SQLGlot."""

    name = "spark"

    def __init__(self, master: str = "local[*]", session: Any = None) -> None:
        self.master = master
        self._session = session
        self._own = session is None

    def session(self) -> Any:
        if self._session is None:
            from pyspark.sql import SparkSession

            # A session already running in this process (a notebook's, a test module's) is
            # used and left running; one started here is stopped by `close`.
            active = SparkSession.getActiveSession()
            self._own = active is None
            self._session = active if active is not None else spark_session(self.master)
        return self._session

    def links(
        self, records: pa.Table, sql: str
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        spark = self.session()
        master = str(spark.sparkContext.master)
        with tempfile.TemporaryDirectory(prefix="accord-overlap-") as folder:
            if master.startswith("local"):
                import pyarrow.parquet as pq

                path = Path(folder) / "records.parquet"
                pq.write_table(records, path)
                frame = spark.read.parquet(str(path))
            else:
                frame = spark.createDataFrame(records)
            frame.createOrReplaceTempView("records")
            found = spark.sql(to_spark_sql(sql)).toArrow()
            spark.catalog.dropTempView("records")
        return _pairs(
            found.column("a").to_numpy(zero_copy_only=False),
            found.column("b").to_numpy(zero_copy_only=False),
        )

    def close(self) -> None:
        if self._own and self._session is not None:
            self._session.stop()
            self._session = None


def spark_session(master: str = "local[*]") -> Any:
    """A Spark session for the overlap: quiet, no web UI, few shuffle partitions in local
    mode (the default 200 cost more than they save on one machine)."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master)
        .appName("accord-overlap")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={_quiet_log()}")
    )
    if master.startswith("local"):
        # On one machine: no network interface needed, so none is looked for.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.sql.shuffle.partitions", "8").config(
            "spark.driver.host", "127.0.0.1"
        )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # Py4J or PySpark's own: Java is missing or would not start
        raise EngineUnavailable(
            f"Spark could not start ({type(exc).__name__}: {exc}); it needs Java 17 "
            "(Debian: apt-get install openjdk-17-jre-headless)"
        ) from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark


class EngineUnavailable(RuntimeError):
    """The engine asked for cannot run here (Spark without Java)."""


_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.console.type = Console
appender.console.name = stderr
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def _quiet_log() -> str:
    """A log4j2 configuration that lets Spark's JVM say only its errors (on standard error),
    so that ``--json`` output stays clean and the terminal readable."""
    path = Path(tempfile.gettempdir()) / "accord-spark-log4j2.properties"
    if not path.exists() or path.read_text(encoding="utf-8") != _LOG4J:
        path.write_text(_LOG4J, encoding="utf-8")
    return path.as_uri()


def _pairs(a: Any, b: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    first = np.asarray(a, dtype=np.int64)
    second = np.asarray(b, dtype=np.int64)
    low, high = np.minimum(first, second), np.maximum(first, second)
    order = np.lexsort((high, low))
    return low[order], high[order]


def engine_named(name: str, *, spark_master: str = "local[*]") -> DuckDBEngine | SparkEngine:
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine(spark_master)
    raise ValueError(f"unknown engine {name!r}: use duckdb or spark")


# --------------------------------------------------------------------------------------------
# The analysis


@dataclass(frozen=True)
class ServiceFigures:
    records: int
    in_joint: int

    @property
    def share_joint(self) -> float:
        # A service is listed only when it has records, so the share is always defined; an
        # empty one would have none of its records in a joint incident: 0.0.
        return self.in_joint / self.records if self.records else 0.0


@dataclass(frozen=True)
class PairFigures:
    links: int
    joint_incidents: int


@dataclass(frozen=True)
class Overlap:
    """The figures of issue 15's JSON, in its order."""

    window_minutes: float
    distance_m: float
    records: int
    unlocated: int
    by_service: dict[str, ServiceFigures]
    pairs: dict[str, PairFigures]
    joint_incidents: int
    tri_service: int
    by_hour: tuple[int, ...]
    engine: str = "duckdb"

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "window_minutes": float(self.window_minutes),
            "distance_m": float(self.distance_m),
            "records": self.records,
            "unlocated": self.unlocated,
            "by_service": {
                name: {
                    "records": figures.records,
                    "in_joint": figures.in_joint,
                    "share_joint": figures.share_joint,
                }
                for name, figures in self.by_service.items()
            },
            "pairs": {
                key: {"links": figures.links, "joint_incidents": figures.joint_incidents}
                for key, figures in self.pairs.items()
            },
            "joint_incidents": self.joint_incidents,
            "tri_service": self.tri_service,
            "by_hour": {str(hour): count for hour, count in enumerate(self.by_hour)},
        }


@dataclass(frozen=True)
class Prepared:
    """The records as the engines take them, and what the summary needs beside the links."""

    table: pa.Table  # rid, svc, t, lat, lon
    services: tuple[str, ...]  # sorted; svc is the index into it
    svc: npt.NDArray[np.int32]
    t: npt.NDArray[np.int64]
    located: npt.NDArray[np.bool_]


def prepare(incidents: Incidents) -> Prepared:
    table = incidents.table
    services_column = table.column("service").combine_chunks()
    services = tuple(sorted(str(s) for s in pc.unique(services_column).to_pylist()))
    svc = pc.index_in(services_column, value_set=pa.array(services, pa.string()))
    t = table.column("received_at").combine_chunks().cast(pa.int64())
    lat = table.column("latitude").combine_chunks()
    lon = table.column("longitude").combine_chunks()
    rows = table.num_rows
    engine_table = pa.table(
        {
            "rid": pa.array(np.arange(rows, dtype=np.int64)),
            "svc": svc.cast(pa.int32()),
            "t": t,
            "lat": lat,
            "lon": lon,
        }
    )
    located = pc.and_(pc.is_valid(lat), pc.is_valid(lon)).to_numpy(zero_copy_only=False)
    return Prepared(
        table=engine_table,
        services=services,
        svc=svc.cast(pa.int32()).to_numpy(zero_copy_only=False).astype(np.int32),
        t=t.to_numpy(zero_copy_only=False).astype(np.int64),
        located=np.asarray(located, dtype=bool),
    )


def grid_for_records(prepared: Prepared, window_minutes: float, distance_m: float) -> Grid:
    lat = prepared.table.column("lat")
    earliest = int(prepared.t.min()) if prepared.t.size else 0
    highest = pc.max(pc.abs(lat)).as_py() if prepared.located.any() else 0.0
    return grid_for(
        window_minutes, distance_m, earliest_us=earliest, highest_latitude=float(highest or 0.0)
    )


def analyse(
    incidents: Incidents,
    *,
    window_minutes: float = DEFAULT_WINDOW_MINUTES,
    distance_m: float = DEFAULT_DISTANCE_M,
    engine: Engine | None = None,
    timings: dict[str, float] | None = None,
) -> Overlap:
    """Link the records and count the joint incidents, on DuckDB unless told otherwise;
    `timings`, when given, gets the seconds of each step (``link``, ``summarise``)."""
    check_parameters(window_minutes, distance_m)
    chosen: Engine = engine if engine is not None else DuckDBEngine()
    started = time.perf_counter()
    prepared = prepare(incidents)
    grid = grid_for_records(prepared, window_minutes, distance_m)
    a, b = chosen.links(prepared.table, links_sql(grid))
    linked = time.perf_counter()
    result = summarise(
        prepared, a, b, window_minutes=window_minutes, distance_m=distance_m, engine=chosen.name
    )
    if timings is not None:
        timings["link"] = linked - started
        timings["summarise"] = time.perf_counter() - linked
    return result


def summarise(
    prepared: Prepared,
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    *,
    window_minutes: float,
    distance_m: float,
    engine: str,
) -> Overlap:
    """The figures from the records and their links: components by union of the links."""
    services = prepared.services
    count = len(services)
    svc = prepared.svc
    rows = svc.size
    records_by_service = np.bincount(svc, minlength=count) if rows else np.zeros(count, int)

    # Links by the pair of services, names sorted (services are sorted, so codes are too).
    link_counts: dict[tuple[int, int], int] = {}
    if a.size:
        low = np.minimum(svc[a], svc[b]).astype(np.int64)
        high = np.maximum(svc[a], svc[b]).astype(np.int64)
        keys, counts = np.unique(low * count + high, return_counts=True)
        link_counts = {
            (int(key // count), int(key % count)): int(n)
            for key, n in zip(keys, counts, strict=True)
        }

    # Joint incidents: connected components of two or more records.
    in_joint_by_service = np.zeros(count, dtype=np.int64)
    joint_pairs: dict[tuple[int, int], int] = {}
    joint = 0
    tri = 0
    by_hour = np.zeros(24, dtype=np.int64)
    if a.size:
        graph = coo_matrix((np.ones(a.size, dtype=np.int8), (a, b)), shape=(rows, rows))
        _, labels = connected_components(graph, directed=False)
        sizes = np.bincount(labels)
        members = np.flatnonzero(sizes[labels] >= 2)
        component_ids, component = np.unique(labels[members], return_inverse=True)
        joint = int(component_ids.size)
        member_svc = svc[members]
        in_joint_by_service = np.bincount(member_svc, minlength=count)
        # Which services each joint incident holds: a components × services 0/1 matrix.
        holds = csr_matrix(
            (np.ones(members.size, dtype=np.int64), (component, member_svc)),
            shape=(joint, count),
        )
        holds.sum_duplicates()
        holds.data[:] = 1
        together = (holds.T @ holds).tocoo()
        for i, j, n in zip(together.row, together.col, together.data, strict=True):
            if i < j:
                joint_pairs[(int(i), int(j))] = int(n)
        if all(name in services for name in THREE_SERVICES):
            columns = [services.index(name) for name in THREE_SERVICES]
            present = np.asarray(holds[:, columns].sum(axis=1)).ravel()
            tri = int((present == len(THREE_SERVICES)).sum())
        # The hour of each joint incident's earliest record.
        earliest = np.full(joint, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(earliest, component, prepared.t[members])
        hours = (earliest // _MICROSECONDS_AN_HOUR) % 24
        by_hour = np.bincount(hours, minlength=24)

    pair_keys = set(link_counts) | set(joint_pairs)
    pairs = {
        f"{services[i]}+{services[j]}": PairFigures(
            link_counts.get((i, j), 0), joint_pairs.get((i, j), 0)
        )
        for i, j in pair_keys
    }
    return Overlap(
        window_minutes=float(window_minutes),
        distance_m=float(distance_m),
        records=int(rows),
        unlocated=int(rows - int(prepared.located.sum())),
        by_service={
            name: ServiceFigures(int(records_by_service[i]), int(in_joint_by_service[i]))
            for i, name in enumerate(services)
        },
        pairs=dict(sorted(pairs.items())),
        joint_incidents=joint,
        tri_service=tri,
        by_hour=tuple(int(n) for n in by_hour),
        engine=engine,
    )


def run(
    paths: Sequence[str | Path],
    *,
    layout: str = "accord",
    window_minutes: float = DEFAULT_WINDOW_MINUTES,
    distance_m: float = DEFAULT_DISTANCE_M,
    engine: Engine | None = None,
    timings: dict[str, float] | None = None,
) -> Overlap:
    """Read and check the files, then analyse them: what `accord overlap` does; `timings`,
    when given, gets the seconds of each step (``read``, ``link``, ``summarise``)."""
    from accord.analytics.records import read_incidents

    started = time.perf_counter()
    incidents = read_incidents(paths, layout, details=False)
    if timings is not None:
        timings["read"] = time.perf_counter() - started
    return analyse(
        incidents,
        window_minutes=window_minutes,
        distance_m=distance_m,
        engine=engine,
        timings=timings,
    )
