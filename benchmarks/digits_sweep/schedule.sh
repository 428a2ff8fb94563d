#!/bin/bash
# Two queues, one thread each, on the 2-core CPU (nothing else running). Usage: bash schedule.sh "arm:seed:steps ..." "arm:seed:steps ..."
cd "$(dirname "$0")/../.." && source .venv/bin/activate
queue() { for job in $1; do IFS=: read arm seed steps <<< "$job"
  echo "$(date -u +%H:%M:%S) start $arm seed $seed $steps steps" >> benchmarks/digits_sweep/schedule.log
  OMP_NUM_THREADS=1 python benchmarks/digits_sweep.py --arm $arm --seed $seed --steps $steps > benchmarks/digits_sweep/$arm-seed$seed.out 2>&1
  echo "$(date -u +%H:%M:%S) end $arm seed $seed rc=$?" >> benchmarks/digits_sweep/schedule.log; done; }
queue "$1" & queue "$2" & wait
