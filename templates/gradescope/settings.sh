# What run_autograder grades, read by it for every submission. Change these, then rebuild the
# autograder zip. Every run is deterministic: a regrade with the same settings gives the same runs.

# Lab parts (raftgrade list shows them): 3A..3D for Raft, 4A..4C for the services, classic for the
# classic kvraft lab.
PARTS="3A,3B,3C,3D"
# Seeds per test: the base seed, then SEEDS-1 seeds derived from it. More seeds, more schedules, more time.
SEEDS=3
SEED=1
# Points: a JSON file in this folder ({"parts": {"3A": 50}, "tests": {"3B/TestBackup3B": 20}}), or
# empty for 100 points per part, split evenly over its tests.
RUBRIC="rubric.json"
# Worker processes (empty: one per CPU of the container), and the real seconds one run may take.
JOBS=""
RUN_TIMEOUT=330
# Pages with a timeline, messages and log for failing runs, in the results folder (0: none).
HTML_PAGES=5
