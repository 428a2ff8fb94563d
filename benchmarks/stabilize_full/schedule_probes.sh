cd /work/main
probe() { OMP_NUM_THREADS=1 PYTHONPATH=$PWD .venv/bin/python benchmarks/stabilize_full.py --probe 500 --steps 2500 --width 16 --batch 64 --n 0 --seed 0 --methods "$@"; }
share() { OMP_NUM_THREADS=1 PYTHONPATH=$PWD .venv/bin/python benchmarks/stabilize_r1_share.py --steps 2500 --every 500 --method "$1"; }
( until grep -q "C end" /tmp/s09/C.log; do sleep 10; done; date -u +"E start %T"; probe "NS baseline" "SN, BatchNorm kept" > /tmp/s09/probe1.out; date -u +"E probe end %T"; share "R1 γ=10" > /tmp/s09/share10.out; date -u +"E end %T" ) > /tmp/s09/E.log 2>&1 &
( until grep -q "D end" /tmp/s09/D.log 2>/dev/null; do sleep 10; done; date -u +"F start %T"; probe "TTUR (SAGAN's lr_D 4e-4, lr_G 1e-4)" "no BatchNorm in D" > /tmp/s09/probe2.out; date -u +"F probe end %T"; share "R1 γ=0.1" > /tmp/s09/share01.out; date -u +"F end %T" ) > /tmp/s09/F.log 2>&1 &
wait
