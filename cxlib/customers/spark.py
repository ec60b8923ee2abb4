"""Spark in local mode: whether it can run here, and a session for trying cxlib on one machine.

The customer functions need nothing of this module on a cluster: they take the PySpark DataFrame
that the platform's own session made (Databricks' ``spark``, a ``spark-submit`` job's
``SparkSession.builder.getOrCreate()``). This module serves the tests, the benchmark and anyone who
wants to try the Spark path on a laptop: PySpark 4 needs a Java runtime (17 or 21) besides the
``pyspark`` package (``pip install 'cxlib[spark]'``).

``python -m cxlib.customers.spark`` prints one line: whether the Spark tests of ``make test`` run
here, and if not, why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.util import find_spec
from typing import Any

__all__ = ["MIN_JAVA", "SparkStatus", "local_session", "spark_status"]

#: Oldest Java major version that PySpark 4 runs on.
MIN_JAVA = 17


@dataclass(frozen=True)
class SparkStatus:
    """Whether PySpark can start a local session here; ``reason`` says what was found."""

    available: bool
    reason: str


def _java() -> str | None:
    """The java executable Spark's launcher would use: ``$JAVA_HOME/bin/java``, else on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    return shutil.which("java")


def spark_status() -> SparkStatus:
    """Check for the ``pyspark`` package and a Java runtime of at least :data:`MIN_JAVA`.

    Starts no session (that takes seconds); runs ``java -version`` once.

    Examples
    --------
    >>> status = spark_status()
    >>> isinstance(status.available, bool) and status.reason != ""
    True
    """
    if find_spec("pyspark") is None:
        return SparkStatus(False, "pyspark is not installed (pip install 'cxlib[spark]')")
    java = _java()
    if java is None:
        return SparkStatus(False, "no Java runtime found (set JAVA_HOME or put java on PATH)")
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as err:
        return SparkStatus(False, f"{java} -version failed: {err}")
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if match is None:
        return SparkStatus(False, f"no Java version in the output of {java} -version")
    major = int(match.group(1))
    major = int(match.group(2)) if major == 1 and match.group(2) else major  # "1.8" is Java 8
    if major < MIN_JAVA:
        return SparkStatus(False, f"Java {major} at {java}; PySpark 4 needs Java {MIN_JAVA}+")
    from importlib.metadata import version

    return SparkStatus(True, f"pyspark {version('pyspark')} in local mode on Java {major} ({java})")


def local_session(
    *,
    cores: int = 2,
    shuffle_partitions: int = 4,
    time_zone: str = "UTC",
    memory: str = "2g",
    app_name: str = "cxlib",
    config: Mapping[str, str] | None = None,
) -> Any:
    """A SparkSession in local mode (or the running one), set up for small machines.

    Parameters
    ----------
    cores : int
        Worker threads (``local[cores]``).
    shuffle_partitions : int
        ``spark.sql.shuffle.partitions``: Spark's default of 200 is made for clusters; on one
        machine a few partitions per core avoid hundreds of tiny tasks per group-by.
    time_zone : str
        ``spark.sql.session.timeZone``: the zone in which a ``TIMESTAMP`` column is read as a
        purchase day. UTC by default, so that days do not depend on the machine's zone.
    memory : str
        Driver memory (the driver is the executor in local mode).
    app_name : str
        Shown in Spark's logs.
    config : mapping, optional
        Further Spark settings, e.g. ``{"spark.driver.extraJavaOptions":
        "-XX:TieredStopAtLevel=1"}``, which halves the start and the first queries of short
        runs such as tests (the JVM compiles less) and slows long ones.

    Returns
    -------
    pyspark.sql.SparkSession
        Arrow transfer to pandas on, web UI off, Spark's log quiet (errors only). Settings
        apply only when no session runs yet in this process (``getOrCreate``).
    """
    from pyspark.sql import SparkSession

    settings = {
        "spark.driver.memory": memory,
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        "spark.default.parallelism": str(cores),
        "spark.sql.session.timeZone": time_zone,
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        **(config or {}),
    }
    builder = SparkSession.builder.master(f"local[{cores}]").appName(app_name)
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


if __name__ == "__main__":
    status = spark_status()
    if status.available:
        print(f"Spark tests: run ({status.reason})")
    else:
        print(f"Spark tests: skipped ({status.reason})")
