import "experimental"

import "csv"

data =
    "
#datatype,string,long,dateTime:RFC3339,long,string,string,string,string
#group,false,false,false,false,true,true,true,false
#default,_result,,,,,,,
,result,table,_time,_value,_field,_measurement,host,name
,,0,2018-05-22T19:53:26Z,15204688,io_time,diskio,host.local,disk0
,,0,2018-05-22T19:53:36Z,15204894,io_time,diskio,host.local,disk0
,,0,2018-05-22T19:53:26Z,648,io_time,diskio,host.local,disk2
,,0,2018-05-22T19:53:36Z,672,io_time,diskio,host.local,disk2
,,0,2018-05-22T19:53:46Z,648,io_time,diskio,host.local,disk2
"

csv.from(csv: data)
    |> experimental.group(mode: "extend", columns: ["name"])
    |> max()
