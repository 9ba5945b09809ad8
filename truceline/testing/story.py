"""The allegation of the workflow story through the API (tests/api/test_story.py), and the
finding the monitors draft on it: JSON bodies other tests file and find with too."""

REPORT = {
    "category": "militant-attack",
    "accused_party": "afghanistan",
    "occurred_at": "2025-11-02T04:30:00Z",
    "time_precision": "exact",
    "location": {"lat": 34.11, "lon": 71.09, "precision": "near", "place": "torkham"},
    "narrative": "Militants crossed near Torkham and attacked a border post. Witness: Gul Khan.",
    "casualties": {"killed": {"security": 2}, "injured": {"civilians": [3, 5]}},
    "origin": "afghanistan",
    "confidentiality": "parties",
    "urgent": True,
    "sources": ["Border post commander, Torkham"],
    "evidence": [],
}
FINDING = {
    "determination": "confirmed-violation",
    "confidence": "high",
    "attribution": {"grade": "omission", "actor": "ttp", "territory": "afghanistan"},
    "intent": "deliberate",
    "clauses": ["territory-not-used-for-attacks"],
    "summary": "An armed group operating from Afghan territory attacked a post near Torkham.",
}
