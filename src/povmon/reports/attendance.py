"""The attendance report (``povmon report attendance``): the figures of services.attendance_figures, whose
``AttendanceReport`` gives the JSON; reports.attendance_xlsx the workbook."""

from povmon.services.attendance_figures import (
    AttendanceReport,
    DueRow,
    LeaveRow,
    MemberRow,
    Period,
    PersonTotal,
    TeamRow,
    build,
)

__all__ = ["AttendanceReport", "DueRow", "LeaveRow", "MemberRow", "Period", "PersonTotal", "TeamRow", "build"]
