"""Pre-aggregated counts of incidents, kept correct on every write (tally.py).

They are derived data, rebuilt from the incidents at will (`truceline tally rebuild`) and
compared with them in the tests (`truceline tally check`): no record lives only here. Slugs are
plain strings, not foreign keys, so that a count never holds up a scenario change.
"""

from __future__ import annotations

from django.db import models

WEEK_DIMS = (
    "week",
    "category",
    "accused",
    "attributed",
    "determination",
    "state",
    "public",
    "filers",
    "flagged",
)
CELL_DIMS = ("week", "cell", "sector", "category", "accused", "state", "public", "filers")
TOTAL_DIMS = CELL_DIMS[1:]  # the same without the week: the map's default, all-time view


class WeekTally(models.Model):
    """Incidents per week (by when they happened) and everything the dashboard splits them by."""

    week = models.DateField(help_text="Monday (UTC) of the week the incident happened in")
    category = models.CharField(max_length=60)
    accused = models.CharField(max_length=60)
    attributed = models.CharField(max_length=60, blank=True)
    determination = models.CharField(max_length=24, blank=True)
    state = models.CharField(max_length=24)
    public = models.BooleanField()
    filers = models.CharField(max_length=200)
    flagged = models.BooleanField(help_text="the monitors should check its place")
    n = models.BigIntegerField(default=0)
    killed = models.BigIntegerField(default=0)
    injured = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=WEEK_DIMS, name="weektally_key")]

    def __str__(self) -> str:
        return f"{self.week} {self.category} {self.accused}: {self.n}"


class CellCounts(models.Model):
    """What the per-cell tallies share: the map's dimensions and sums."""

    cell = models.CharField(max_length=4)
    sector = models.CharField(max_length=60, blank=True)
    category = models.CharField(max_length=60)
    accused = models.CharField(max_length=60)
    state = models.CharField(max_length=24)
    public = models.BooleanField()
    filers = models.CharField(max_length=200)
    n = models.BigIntegerField(default=0)
    sum_lat = models.FloatField(default=0)
    sum_lon = models.FloatField(default=0)

    class Meta:
        abstract = True


class CellTally(CellCounts):
    """Incidents per week and grid cell (geohash of 4): the map's clusters over a date range."""

    week = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=CELL_DIMS, name="celltally_key")]
        indexes = [models.Index(fields=["week", "cell"])]

    def __str__(self) -> str:
        return f"{self.week} {self.cell}: {self.n}"


class CellTotal(CellCounts):
    """Incidents per grid cell over all time: the map's default view in one small scan."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=TOTAL_DIMS, name="celltotal_key")]

    def __str__(self) -> str:
        return f"{self.cell}: {self.n}"
