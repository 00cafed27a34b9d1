import "csv"

csv.from(
    csv: "#datatype,string,long,duration\n#group,false,false,false\n#default,_result,,\n,result,table,v\n,,0,1h\n",
)
