"""Planner rules, one module each; `RULES` is the order the planner tries them."""

from tsengine.plan.rules.prune_columns import PruneColumns
from tsengine.plan.rules.push_aggregate import PushAggregate
from tsengine.plan.rules.push_filter import PushFilter
from tsengine.plan.rules.push_group_window import PushGroupWindow
from tsengine.plan.rules.push_pivot import PushPivot
from tsengine.plan.rules.push_range import PushRange
from tsengine.plan.rules.push_window_aggregate import PushWindowAggregate

RULES = (PushRange(), PushFilter(), PruneColumns(), PushAggregate(), PushWindowAggregate(),
         PushGroupWindow(), PushPivot())
