import "csv"

data =
    "
#datatype,string,long,dateTime:RFC3339,double,string
#group,false,false,false,false,true
#default,_result,,,,
,result,table,_time,_value,year
,,0,2022-03-01T00:00:00Z,1,2022
,,0,2022-03-02T00:00:00Z,2,2022
,,1,2023-03-05T00:00:00Z,3,2023
,,1,2023-03-05T12:00:00Z,4,2023
"

csv.from(csv: data)
    |> range(start: 2022-01-01T00:00:00Z, stop: 2023-01-01T00:00:00Z)
