"""Trainees' feedback on answers, the teachers' review of it, its export as an eval set, and curated answers."""
