import "csv"

csv.from(
    mode: "raw",
    csv: "
name,count,note
alpha,1,
beta,22,x y
",
)
