"""Thin collector of the traffic-safety database.

Fetches VCC messages, archives them raw as Parquet and hands them to PostgreSQL,
where all computing happens.
"""

__version__ = "0.1.0"
