import "csv"

data =
    "
#datatype,string,long,string,string,double
#group,false,false,true,false,false
#default,_result,,a,unknown,0.5
,result,table,host,note,_value
,,0,,,
,,0,a,hello,2
,,1,b,,3

#datatype,string,long,string,long
#group,false,false,true,false
#default,_result,2,c,
,result,table,host,n
"

csv.from(csv: data)
