import "csv"

data =
    "
#group,false,false,true,false
#foo,bar,,,
#datatype,string,long,string,long
#default,_result,,,
,result,table,k,v
,,0,a,1
,,,a,2
,,1,b,3
,,,b,4
"

csv.from(csv: data)
