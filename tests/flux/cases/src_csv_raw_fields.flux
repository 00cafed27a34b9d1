import "csv"

csv.from(mode: "raw", csv: "a,b\n1,2\n3\n")
