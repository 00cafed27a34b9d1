"""Package `experimental`: one module per member (group, set, addDuration/subDuration,
alignTime, window, unpivot, objectKeys)."""
