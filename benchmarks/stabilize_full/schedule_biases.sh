# the biases check (stabilize.CHECKS), 2026-11-23 (session 7): two processes, one thread each
cd /work/main
run() { OMP_NUM_THREADS=1 PYTHONPATH=$PWD .venv/bin/python benchmarks/stabilize_full.py --steps 2500 --width 16 --batch 64 --n 1000 --out benchmarks/stabilize_full --methods "no BatchNorm, biases in D" "$@"; }
( date -u +"E start %T"; run --seed 0; run --seed 2; date -u +"E end %T" ) > benchmarks/stabilize_full/biases_E.log 2>&1 &
( date -u +"F start %T"; run --seed 1; date -u +"F end %T" ) > benchmarks/stabilize_full/biases_F.log 2>&1 &
wait
