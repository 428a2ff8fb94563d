# the over-strong-D probes of "NS baseline" and "SN, BatchNorm kept" on seeds 1 and 2 (seed 0: schedule_probes.sh),
# 2026-11-23 (session 7): two processes, one thread each, while the fresh-clone CI also ran
cd /work/main
probe() { OMP_NUM_THREADS=1 PYTHONPATH=$PWD .venv/bin/python benchmarks/stabilize_full.py --probe 500 --steps 2500 --width 16 --batch 64 --n 0 --seed "$1" --methods "NS baseline" "SN, BatchNorm kept"; }
( date -u +"seed 1 start %T"; probe 1 > benchmarks/stabilize_full/probe_baseline_snbn_seed1.out; date -u +"seed 1 end %T" ) > /tmp/probe_s1.log 2>&1 &
( date -u +"seed 2 start %T"; probe 2 > benchmarks/stabilize_full/probe_baseline_snbn_seed2.out; date -u +"seed 2 end %T" ) > /tmp/probe_s2.log 2>&1 &
wait
