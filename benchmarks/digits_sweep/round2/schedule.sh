#!/bin/bash
# Round 2 (networks, data D sees, schedule): two queues, one thread each, on the 2-core CPU (nothing else running).
# Only the run's own EMA G is read (round 1 found the longer copies and truncation no help).
# Usage: bash schedule.sh "arm:seed:steps ..." "arm:seed:steps ..."
# Run on 2026-11-23: bash schedule.sh "deep:0:1860 diffaug:0:1860 decay:0:1860" "w48:0:1860 upsample:0:1860 r1:0:1860";
# then, as further queues of the same command (schedule.log has the order): deep:1:1860, deepg:0:1860, deepd:0:1860,
# base:0:1860, and deep seeds 2, 1, 0 to 3720 steps with --out $d/long/deep-seedS.jsonl (a 1 860-step run of deep
# seed 2 was stopped at its start to run it to 3 720 instead).
cd "$(dirname "$0")/../../.." && source .venv/bin/activate
d=benchmarks/digits_sweep/round2
queue() { for job in $1; do IFS=: read arm seed steps <<< "$job"
  echo "$(date -u +%H:%M:%S) start $arm seed $seed $steps steps" >> $d/schedule.log
  OMP_NUM_THREADS=1 python benchmarks/digits_sweep.py --arm $arm --seed $seed --steps $steps --half-lives 10000 --psis \
    --out $d/$arm-seed$seed.jsonl > $d/$arm-seed$seed.out 2>&1
  echo "$(date -u +%H:%M:%S) end $arm seed $seed rc=$?" >> $d/schedule.log; done; }
queue "$1" & queue "$2" & wait
