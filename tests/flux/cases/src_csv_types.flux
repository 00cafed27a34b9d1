import "csv"

data =
    "
#datatype,string,long,string,boolean,long,unsignedLong,double,dateTime:RFC3339
#group,false,false,true,false,false,false,false,false
#default,_result,,,,,,,
,result,table,tag,b,i,u,f,_time
,,0,x,true,-3,7,1.5,2024-01-01T00:00:00Z
,,0,x,false,,8,,2024-01-01T00:00:10.5Z
,,1,y,,42,,-0.25,2024-01-01T01:00:00+01:00
"

csv.from(csv: data)
