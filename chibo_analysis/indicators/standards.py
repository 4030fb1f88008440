"""The thresholds of the central rules behind the scorecard and the lists, with their source.

The facts they decide (R3 duration, R4 attendance standard, runs of excused
absences, the R6 months) are computed once, by the queries of :mod:`.engine`,
which :mod:`.scorecard` counts and :mod:`.lists` lists with their source rows.
Local targets live in ``resources/targets.yaml``.
"""

from __future__ import annotations

#: R3, HD 12-HD/BTCTW of 06/7/2018 (kept by HD 42-HD/BTCTW of 28/10/2025):
#: a meeting lasts at least 90 minutes, a combined regular + thematic one 120.
R3_MIN_MINUTES = {"regular": 90, "thematic": 90, "extraordinary": 90, "combined": 120}
#: R4, HD 12-HD/BTCTW of 06/7/2018: *more than* 85% of members present.
R4_MIN_PRESENT_SHARE = 0.85
#: R4: an excused absence that is the member's 4th or later in a row fails the meeting.
R4_MAX_EXCUSED_RUN = 3
#: R6, Điều lệ Đảng 2011, Điều 8(1): 3 months within a calendar year.
R6_MONTHS = 3
