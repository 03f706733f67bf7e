"""Services: functions that take a session, read or change the register, and never commit.

The caller owns the unit of work (``with session.begin():``): a CLI command, the importer, or a test.
"""
