#!/bin/bash
# Submits the shard array and the merge that waits for all of it.
#   deploy/slurm/submit-shards.sh /shared/pool/index
set -euo pipefail
index=${1:?give the index folder (shared storage)}
here=$(dirname "$0")
array=$(sbatch --parsable "$here/embed-shards.sbatch" "$index")
sbatch --dependency=afterok:"$array" --job-name=exemplar-merge --cpus-per-task=2 --mem=8G \
  --wrap "exemplar merge '$index' --json"
