import "csv"

data =
    "
#datatype,string,long,dateTime:RFC3339,double,string,string
#group,false,false,false,false,true,true
#default,_result,,,,,
,result,table,_time,_value,_field,_measurement
,,0,2024-01-01T00:00:00Z,1,f,m
,,0,2024-01-01T00:00:30Z,2,f,m
,,0,2024-01-01T00:01:00Z,3,f,m
,,1,2024-01-01T00:00:10Z,10,g,m
,,1,2024-01-01T00:02:00Z,20,g,m
"

csv.from(csv: data)
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> sum()
