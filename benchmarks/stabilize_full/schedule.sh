cd /work/main
A="NS baseline|SN, BatchNorm kept|no BatchNorm in D|SN, no BatchNorm|R1 γ=0.0001|TTUR (SAGAN's lr_D 4e-4, lr_G 1e-4)"
B="R1 γ=0.001|R1 γ=0.01|R1 γ=0.1|WGAN-GP (published recipe)"
ALL=("NS baseline" "SN, BatchNorm kept" "no BatchNorm in D" "SN, no BatchNorm" "R1 γ=0.0001" "R1 γ=0.001" "R1 γ=0.01" "R1 γ=0.1" "TTUR (SAGAN's lr_D 4e-4, lr_G 1e-4)" "WGAN-GP (published recipe)")
run() { OMP_NUM_THREADS=1 PYTHONPATH=$PWD .venv/bin/python benchmarks/stabilize_full.py --steps 2500 --width 16 --batch 64 --n 1000 "$@"; }
( date -u +"A start %T"; run --seed 0 --methods "${ALL[@]}"; IFS='|' read -ra M <<< "$A"; run --seed 2 --methods "${M[@]}"; date -u +"A end %T" ) > /tmp/s09/A.log 2>&1 &
( date -u +"B start %T"; run --seed 1 --methods "${ALL[@]}"; IFS='|' read -ra M <<< "$B"; run --seed 2 --methods "${M[@]}"; date -u +"B end %T" ) > /tmp/s09/B.log 2>&1 &
wait
