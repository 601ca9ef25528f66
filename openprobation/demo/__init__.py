"""Demo data for trying the system and for benchmarks. Sits on top of every domain app."""
