"""Tasks: Flux scripts run on a schedule (`option task`)."""
