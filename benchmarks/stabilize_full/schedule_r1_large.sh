cd /work/main
run() { OMP_NUM_THREADS=1 PYTHONPATH=$PWD .venv/bin/python benchmarks/stabilize_full.py --steps 2500 --width 16 --batch 64 --n 1000 "$@"; }
( until grep -q "A end" /tmp/s09/A.log; do sleep 10; done; date -u +"C start %T"; run --seed 0 --seed 1 --methods "R1 γ=1" "R1 γ=10"; date -u +"C end %T" ) > /tmp/s09/C.log 2>&1 &
( until grep -q "B end" /tmp/s09/B.log; do sleep 10; done; date -u +"D start %T"; run --seed 2 --methods "R1 γ=1" "R1 γ=10"; date -u +"D end %T" ) > /tmp/s09/D.log 2>&1 &
wait
