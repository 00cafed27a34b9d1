import "experimental"

import "csv"

data =
    "
#datatype,string,long,string,dateTime:RFC3339,double,long,string
#group,false,false,true,false,false,false,false
#default,_result,,,,,,
,result,table,_measurement,_time,f,i,s
,,0,m,2018-12-18T20:52:33Z,-61.5,-66,abc
,,0,m,2018-12-18T20:52:43Z,,3,123
"

csv.from(csv: data)
    |> experimental.unpivot()
