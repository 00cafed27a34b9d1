import "csv"

data =
    "
#datatype,string,long,string,long
#group,false,false,true,false
#default,_result,,,
,result,table,k,v
,,0,a,1

#datatype,string,long,string,long
#group,false,false,true,false
#default,other,,,
,result,table,k,v
,,0,b,2
"

csv.from(csv: data)
