"""Query plans: nodes built by the stdlib, rewritten by planner rules, run by the executor."""
