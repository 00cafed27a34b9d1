// The conformance case tests/flux/cases/sch_field_keys_predicate in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"
import "influxdata/influxdb/schema"

option now = () => 2024-01-02T00:00:00Z

inData = "
#datatype,string,long,dateTime:RFC3339,double,string,string,string,string
#group,false,false,false,false,true,true,true,true
#default,_result,,,,,,,
,result,table,_time,_value,Zone,_field,_measurement,host
,,0,2024-01-01T10:00:00Z,4,z,used,mem,a

#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,1,2023-12-19T15:33:20Z,5,free,disk,d

#datatype,string,long,dateTime:RFC3339,long,string,string,string,string
#group,false,false,false,false,true,true,true,true
#default,_result,,,,,,,
,result,table,_time,_value,_field,_measurement,host,region
,,2,2024-01-01T10:00:00Z,3,idle,cpu,c,us

#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,3,2024-01-01T10:00:00Z,2,usage,cpu,a

#datatype,string,long,dateTime:RFC3339,double,string,string,string,string
#group,false,false,false,false,true,true,true,true
#default,_result,,,,,,,
,result,table,_time,_value,_field,_measurement,host,region
,,4,2024-01-01T10:00:00Z,1,usage,cpu,b,eu

#datatype,string,long,dateTime:RFC3339,double,string,string,string
#group,false,false,false,false,true,true,true
#default,_result,,,,,,
,result,table,_time,_value,_field,_measurement,host
,,5,2023-07-22T04:26:40Z,1,v,old,z
"

outData = "
#datatype,string,long,string
#group,false,false,false
#default,_result,,
,result,table,_value
,,0,usage
,,0,used
"

testcase sch_field_keys_predicate {
    csv.from(csv: inData) |> to(bucket: "test") |> yield(name: "input")
    got =
        schema.fieldKeys(bucket: "test", predicate: (r) => r.host == "a")
    testing.diff(got: got, want: csv.from(csv: outData))
}
