#!/usr/bin/env bash
# Grading across the nodes of a batch system (Slurm here; any array-job scheduler works the same):
# array task i of n grades shard i/n into shards/shard-i; when every task is done, merge them:
#
#   sbatch --array=1-8 templates/ci/slurm-array.sh          # from the project's folder
#   npx raftgrade merge shards/shard-* --out merged           # after the array finishes
#
# The shards are deterministic slices of the same list of runs, so a task that failed can be run
# again alone (sbatch --array=5 ...) and the merge is the same as one machine's grade.
#SBATCH --job-name=raftgrade
#SBATCH --cpus-per-task=4
#SBATCH --time=01:00:00
set -uo pipefail
i="${SLURM_ARRAY_TASK_ID:?run this as an array job}"
n="${SLURM_ARRAY_TASK_COUNT:?run this as an array job}"
# IMPL, SEEDS and PARTS (comma-separated; default: every part that runs by default) from the environment.
npx raftgrade grade --impl "${IMPL:-.}" --seeds "${SEEDS:-10}" ${PARTS:+--part "$PARTS"} \
  --jobs "${SLURM_CPUS_PER_TASK:-1}" --shard "$i/$n" --out "shards/shard-$i"
status=$?
# 1 means some run failed, which the merged report shows; anything else is a failure of the task.
[ "$status" -le 1 ] || exit "$status"
