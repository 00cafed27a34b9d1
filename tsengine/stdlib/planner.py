"""Package `planner`: upstream's options to switch planner rules off by name. tsengine's rules
have other names (`tsengine query --explain`, `disabled_rules=`), so these are accepted, as
upstream test files set them, and change nothing."""

from tsengine.flux.registry import REGISTRY
from tsengine.flux.values import Array

REGISTRY.add(Array([""]), "disableLogicalRules", package="planner")
REGISTRY.add(Array([""]), "disablePhysicalRules", package="planner")
