import "array"

x = die(msg: "custom failure")

array.from(rows: [{x: x}])
