"""The course's measured experiments, behind the research record (benchmarks/): speed (05's
ladder, throughput, FLOPs, time to quality), stabilize and stabilize_probe (09's methods), stats
(the t-tests, by scipy), record (stamped rows for benchmarks/<study>/*.jsonl)."""
